from tests.web.auth.helpers import staff_db  # noqa: F401  (the fixture)
