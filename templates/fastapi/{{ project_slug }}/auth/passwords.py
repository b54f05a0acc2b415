"""Password rules: at least 8 characters, not entirely numeric, not a commonly used password."""

MIN_LENGTH = 8
# The most common passwords of at least 8 characters in public breach lists.
COMMON_PASSWORDS = frozenset(
    [
        "password",
        "password1",
        "password123",
        "12345678",
        "123456789",
        "1234567890",
        "qwertyuiop",
        "qwerty123",
        "iloveyou",
        "sunshine",
        "princess",
        "football",
        "baseball",
        "welcome1",
        "welcome123",
        "abc12345",
        "11111111",
        "00000000",
        "88888888",
        "superman",
        "trustno1",
        "letmein1",
        "passw0rd",
        "whatever",
        "dragon123",
        "monkey123",
        "changeme",
        "admin123",
        "administrator",
        "qwerty12",
        "1q2w3e4r",
        "1qaz2wsx",
        "zaq12wsx",
        "starwars",
    ]
)


def password_problems(password: str) -> list[str]:
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"This password is too short: use at least {MIN_LENGTH} characters.")
    if password.isdigit():
        problems.append("This password is entirely numeric.")
    if password.lower() in COMMON_PASSWORDS:
        problems.append("This password is too common.")
    return problems
