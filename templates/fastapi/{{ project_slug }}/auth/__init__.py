"""Users, passwords and tokens: registration, login, refresh rotation and logout."""
