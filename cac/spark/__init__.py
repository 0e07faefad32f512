"""Coding notes on Spark: ``code_notes`` turns a DataFrame of notes into one row per suggestion.

from cac.spark import code_notes, session
spark = session("local[2]")
rows = code_notes(spark.table("notes"), text_col="text", id_col="note_id", setting="inpatient")
rows.write.saveAsTable("cac_suggestions")

Needs the ``spark`` extra (``pip install 'cac[spark]'``: pyspark 4, Java 17).
"""

from __future__ import annotations

from cac.spark.jobs import DOCUMENT_SCHEMA, SUGGESTION_SCHEMA, code_documents, code_notes, session

__all__ = ["DOCUMENT_SCHEMA", "SUGGESTION_SCHEMA", "code_documents", "code_notes", "session"]
