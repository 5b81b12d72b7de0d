-- Anonymous statistics of the consortium: counts per département and day (or month), pulled
-- from each département's schema by the statistics refresh. Counts only: never a name, a
-- person's or an appointment's id, nor free text. Rows stay when the département's own rows are
-- later deleted by retention, so history survives.

-- One row per département and local day. What each column counts, and on which day:
-- created_*: appointments created that day, by origin (agent, usager online, waiting list, API);
-- seen..revoked: appointments of that day (their start) by status;
-- noshow_reminded / noshow_not_reminded: no-shows of that day with or without a reminder that left;
-- reminders_* / confirmations_*: messages sent that day, per channel; sms_segments: of every SMS sent that day;
-- slots_freed / slots_rebooked: appointments of that day cancelled by their usager, and those whose time was booked again;
-- offers_sent / offers_taken: waiting-list offers made that day, and those of them taken.
CREATE TABLE statistics_days (
    tenant_id integer NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    day date NOT NULL,
    created_agent integer NOT NULL DEFAULT 0,
    created_usager integer NOT NULL DEFAULT 0,
    created_waiting_list integer NOT NULL DEFAULT 0,
    created_api integer NOT NULL DEFAULT 0,
    seen integer NOT NULL DEFAULT 0,
    noshow integer NOT NULL DEFAULT 0,
    excused integer NOT NULL DEFAULT 0,
    revoked integer NOT NULL DEFAULT 0,
    noshow_reminded integer NOT NULL DEFAULT 0,
    noshow_not_reminded integer NOT NULL DEFAULT 0,
    reminders_email integer NOT NULL DEFAULT 0,
    reminders_sms integer NOT NULL DEFAULT 0,
    confirmations_email integer NOT NULL DEFAULT 0,
    confirmations_sms integer NOT NULL DEFAULT 0,
    sms_segments integer NOT NULL DEFAULT 0,
    slots_freed integer NOT NULL DEFAULT 0,
    slots_rebooked integer NOT NULL DEFAULT 0,
    offers_sent integer NOT NULL DEFAULT 0,
    offers_taken integer NOT NULL DEFAULT 0,
    computed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, day)
);
CREATE INDEX statistics_days_day ON statistics_days (day);

-- Days between booking and appointment, as a histogram per booking day: a month's median is
-- read from the month's summed histogram, never as a median of daily medians.
CREATE TABLE statistics_lead_days (
    tenant_id integer NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    day date NOT NULL,
    lead_days integer NOT NULL CHECK (lead_days >= 0),
    rdvs integer NOT NULL CHECK (rdvs > 0),
    PRIMARY KEY (tenant_id, day, lead_days)
);
CREATE INDEX statistics_lead_days_day ON statistics_lead_days (day);

-- Distinct counts cannot be summed from days: per month, recomputed when a day of it changes.
-- active_agents: agents with an appointment that month; usagers_served: distinct usagers seen;
-- rdvs: appointments starting that month when counted. Fewer now means retention deleted some:
-- the distinct counts are then never lowered.
CREATE TABLE statistics_months (
    tenant_id integer NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    month date NOT NULL CHECK (extract(day FROM month) = 1),
    active_agents integer NOT NULL DEFAULT 0,
    usagers_served integer NOT NULL DEFAULT 0,
    rdvs integer NOT NULL DEFAULT 0,
    computed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, month)
);

-- Where each département's incremental refresh stands: rows changed after changes_before are
-- not aggregated yet.
CREATE TABLE statistics_watermarks (
    tenant_id integer PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    changes_before timestamptz NOT NULL,
    days_recomputed integer NOT NULL DEFAULT 0,
    refreshed_at timestamptz NOT NULL DEFAULT now(),
    full_refresh_at timestamptz
);

-- The snapshot the operator console lists beside each département.
CREATE TABLE departement_activity (
    tenant_id integer PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    agents integer NOT NULL,
    usagers integer NOT NULL,
    rdvs_this_month integer NOT NULL,
    last_activity_at timestamptz,
    sms_segments_this_month integer NOT NULL,
    refreshed_at timestamptz NOT NULL DEFAULT now()
);

-- The application role reads shared already; the refresh only inserts and updates these rows.
-- It deletes only histogram buckets of a recomputed day (a bucket that emptied), nothing else.
DO $$
DECLARE
    app text := current_setting('rdv.app_role');
BEGIN
    EXECUTE format('GRANT INSERT, UPDATE ON statistics_days, statistics_months, statistics_watermarks, departement_activity TO %I', app);
    EXECUTE format('GRANT INSERT, UPDATE, DELETE ON statistics_lead_days TO %I', app);
END
$$;
