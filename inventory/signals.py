"""Inventory signals: other apps react to system changes without inventory importing them."""

import django.dispatch

# Sent on commit after every create/update (import sends one per system).
# Arguments: sender=AISystem, system=AISystem, actor=User | str, created=bool.
system_changed = django.dispatch.Signal()
