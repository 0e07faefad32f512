"""The coding service: the engine over HTTP, with every coder decision kept and audited.

from cac.service import create_app, ServiceSettings
app = create_app(ServiceSettings.from_env())

Workflow: POST /v1/encounters (note -> stored suggestions) -> POST /v1/encounters/{id}/decisions (accept, reject
with a reason, edit to another code, add a missed code with evidence) -> POST /v1/encounters/{id}/finalize (locks it,
returns diagnoses first and procedures with diagnosis pointers) -> POST .../reopen (audited). Every write is one
transaction with an append-only audit event. Keys: ``cac users add NAME --role coder|cdi|auditor|admin``.
"""

from cac.service.app import create_app
from cac.service.config import ServiceSettings

__all__ = ["ServiceSettings", "create_app"]
