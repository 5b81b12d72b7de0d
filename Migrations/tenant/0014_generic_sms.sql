-- A generic HTTP/JSON SMS provider: the body is a JSON template with {{to}}, {{text}}, {{from}}
-- and {{reference}}, the key goes in a header of the département's choice, and the provider's
-- message id is read from a field of its answer.
ALTER TABLE notification_settings DROP CONSTRAINT notification_settings_sms_provider_check;
ALTER TABLE notification_settings ADD CONSTRAINT notification_settings_sms_provider_check
    CHECK (sms_provider IN ('sandbox', 'http_json', 'generic_json'));
ALTER TABLE notification_settings ADD COLUMN sms_key_header text NOT NULL DEFAULT 'X-API-Key';
ALTER TABLE notification_settings ADD COLUMN sms_body_template text NOT NULL DEFAULT '';
ALTER TABLE notification_settings ADD COLUMN sms_id_field text NOT NULL DEFAULT 'id';
