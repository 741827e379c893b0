"""The e-mailed digest: what changed since the last digest that was sent.

``changes`` compares today's report with the state recorded by the last sent
digest; ``text_part`` and ``html_part`` draw it; ``message`` wraps both in one
multipart e-mail; ``smtp`` hands it to a server; ``service`` ties these together
and records the new state only once the server has accepted the message.
"""
