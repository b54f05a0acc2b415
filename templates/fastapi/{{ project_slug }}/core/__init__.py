"""Settings, database, security and the error shape: what every domain module builds on."""
