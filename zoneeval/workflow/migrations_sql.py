"""SQL that makes the audit log append-only in PostgreSQL itself."""

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION zoneeval_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS workflow_auditentry_append_only ON workflow_auditentry;
CREATE TRIGGER workflow_auditentry_append_only BEFORE UPDATE OR DELETE ON workflow_auditentry
  FOR EACH ROW EXECUTE FUNCTION zoneeval_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS workflow_auditentry_append_only ON workflow_auditentry;
DROP FUNCTION IF EXISTS zoneeval_audit_append_only();
"""
