"""The protocols' browser test uses the field app's phone-sized Chromium context."""

from tests.pwa.conftest import phone

__all__ = ["phone"]
