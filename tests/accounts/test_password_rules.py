"""Password rules: at least 10 characters, no control characters, not in the shipped common list."""
import pytest

from marketplace.accounts import rules
from marketplace.core.errors import Invalid


def test_the_common_list_ships_with_the_package():
    words = rules.common_passwords()
    assert rules.COMMON_PASSWORDS_FILE.is_file() and len(words) > 20_000
    assert {"password123", "1234567890", "qwertyuiop", "woaini1314"} <= words


@pytest.mark.parametrize("password", ["demo12345", "short", "1234567890", "Password123", " QWERTYUIOP ",
                                      "aaaaaaaaaaaa", "ababababab", "x" * 129, "good-pass\x00word", "tab\tin-password"])
def test_weak_or_broken_passwords_are_refused(password, app):
    with pytest.raises(Invalid) as err:
        rules.check_password(password)
    assert "password" in err.value.errors


@pytest.mark.parametrize("password", ["Qinhuai-river-42", "紫金山下的实验室2026", "correct horse battery staple"])
def test_reasonable_passwords_pass(password, app):
    assert rules.check_password(password) == password


def test_the_minimum_is_a_setting(app):
    app.config["PASSWORD_MIN_LENGTH"] = 14
    with pytest.raises(Invalid):
        rules.check_password("Qinhuai-42-ab")
