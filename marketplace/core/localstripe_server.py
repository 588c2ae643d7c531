"""Run localstripe (the Stripe-compatible test gateway) on loopback only.

localstripe's own launcher binds every interface and reloads state from a shared pickle file;
development and tests want a fresh gateway on 127.0.0.1.
"""
import argparse
import logging


def main(argv=None):
    parser = argparse.ArgumentParser(description="localstripe on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)

    from aiohttp import web
    from localstripe.resources import store
    from localstripe.server import app

    # Keep the gateway's state in memory: the stock store pickles itself to one shared file in /tmp
    # after every change, which is slow and mixes the state of concurrent gateways.
    store.dump_to_disk = lambda: None

    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    web.run_app(app, host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
