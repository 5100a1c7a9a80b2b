"""Imports every module that maps tables, so `Base.metadata` is complete for Alembic and the schema test.

A feature that keeps its tables in its own module (e.g. `store/connectors.py`) adds one import line here.
"""

from wakeful.store import agents as agents  # agents, shifts, on-call, SLA policies (desk/agents.py, desk/sla.py)
from wakeful.store import brand_settings as brand_settings  # brand settings edited by leads (desk/brand_settings.py)
from wakeful.store import connectors as connectors  # connector cursors and health (ingest/connectors/)
from wakeful.store import incidents, models, users
from wakeful.store import notify as notify  # the notification log (desk/notify.py)
from wakeful.store import privacy as privacy  # the log of erasures (desk/privacy.py)
from wakeful.store import reply_templates as reply_templates  # brands' approved replies (desk/replies.py)
from wakeful.store import risk as risk  # each case's risk score (desk/risk.py)
from wakeful.store.models import Base

__all__ = ["Base", "incidents", "models", "users"]
