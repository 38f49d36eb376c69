"""What tests/app/digest.py and digest_serve.py share (not a test itself): a
real SMTP server on loopback (aiosmtpd) that requires a login, LOGIN's, and
keeps every message it receives."""
import logging
import socket
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

# aiosmtpd warns about AUTH without TLS (on purpose here: loopback) and logs each session.
warnings.simplefilter("ignore")
logging.getLogger("mail.log").setLevel(logging.CRITICAL)

# The login the server takes, as eddy reads it from its environment.
LOGIN = {"EDDY_SMTP_USER": "reader", "EDDY_SMTP_PASSWORD": "s3cret"}


class Inbox:
    def __init__(self, received):
        self.received = received

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope)
        return "250 OK"


def auth(server, session, envelope, mechanism, data):
    ok = (data.login, data.password) == (LOGIN["EDDY_SMTP_USER"].encode(), LOGIN["EDDY_SMTP_PASSWORD"].encode())
    return AuthResult(success=ok, handled=False)


def start(received, **opts):
    """Starts an SMTP server on a free loopback port, AUTH required, every
    message's envelope appended to the list `received`; opts go to aiosmtpd's
    Controller as they are (auth_require_tls=False for AUTH in plain text,
    tls_context/ssl_context for TLS).  Returns (controller, port); stop it
    with controller.stop()."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    smtpd = Controller(Inbox(received), hostname="127.0.0.1", port=port, authenticator=auth,
                       auth_required=True, **opts)
    smtpd.start()
    return smtpd, port
