"""The demo generator's organisations and resources, generated once per module (deterministic seed 42);
a module sets N for how many resources it reads."""
import random

import pytest

from marketplace.demo.generator import generate_organisations, generate_resources


@pytest.fixture(scope="module")
def orgs():
    return generate_organisations(random.Random(42))


@pytest.fixture(scope="module")
def rows(request, orgs):
    return list(generate_resources(request.module.N, 42, orgs))
