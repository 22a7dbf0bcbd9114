import os

# Tests never need a real secret; settings refuse to start without one when DEBUG is off.
os.environ.setdefault("SECRET_KEY", "test-only-secret")
