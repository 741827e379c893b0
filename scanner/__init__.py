"""scan: complaint monitoring and web mention scanner.

Tells a company whether a complaint about it is a one-off or a systemic problem,
by grouping what different people say in public and counting the people.
"""

from scanner.layout import mount_checkout_folders

__version__ = "0.1.0"

mount_checkout_folders()
