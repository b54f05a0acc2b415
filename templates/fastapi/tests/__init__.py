"""Before any test module imports the project: mail in tests never leaves the process, whatever
.env says (as Django's test runner swaps in its local mail backend). Tasks read their settings
from the environment, as a worker does; the app in tests gets its own (conftest.make_settings)."""

import os

os.environ["EMAIL_URL"] = "console://"
os.environ["DEFAULT_FROM_EMAIL"] = "noreply@example.com"
