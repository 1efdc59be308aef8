"""Rules beyond the schema, by subject; each module lists its rules in PAYLOAD_RULES or
PROFILE_RULES, and the engine runs them. Rules import validation.context, never the engine."""
