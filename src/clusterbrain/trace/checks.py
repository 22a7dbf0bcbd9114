"""System check: is GS1's EPCIS JSON schema where capture looks for it?

clusterbrain does not ship the schema (decision 0010). Without it `POST /epcis/capture` answers
503, so `manage.py check`, `migrate` and `serve` warn the operator at start-up, naming the setting.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import Warning, register

from clusterbrain.engines.epcis.validate import SCHEMA_ENV, SchemaNotFound, schema_path


@register()
def epcis_schema_present(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    try:
        schema_path()
    except SchemaNotFound as exc:
        return [
            Warning(
                "EPCIS capture is off: GS1's EPCIS 2.0 JSON schema was not found.",
                hint=f"{exc} Until {SCHEMA_ENV} is set, POST /epcis/capture answers 503.",
                id="trace.W001",
            )
        ]
    return []
