CREATE OR REPLACE FUNCTION helpdesk_hand_out_round_robin(
    p_pool text, p_members text[], p_capacity integer, p_ticket text,
    p_record text, p_audit text)
RETURNS text
LANGUAGE plpgsql AS $fn$
-- One hand-out of a waiting ticket (handout.give) with the Router's round robin taken
-- in the database, in the unit of work of the rest of the hand-out: one round-robin
-- step (helpdesk_round_robin_step, round_robin_step.sql: the rotation row locked, the
-- agent chosen exactly as RoundRobin().allocate would, the rotation moved), then the
-- ticket stored with that assignee and the "assigned" audit record appended, in one
-- round trip. Answers the agent, or NULL (nobody in the pool may take the ticket)
-- having written nothing.
-- The ticket's record text comes with no assignee; the assignee is set here in the
-- record (as update_ticket stores it, "allocation" NULL: a hand-out leaves the
-- decision as routed) and in the "assignee" columns of the ticket and the audit row.
-- tests/stores/test_postgres_handout.py checks it against the memory store.
DECLARE
    v_agent text;
BEGIN
    SELECT s.agent INTO v_agent
        FROM helpdesk_round_robin_step(p_pool, p_members, p_capacity) s;
    IF v_agent IS NULL THEN
        RETURN NULL;
    END IF;
    UPDATE tickets SET assignee = v_agent, allocation = NULL,
            record = jsonb_set(p_record::jsonb, '{assignee}', to_jsonb(v_agent))::text
        WHERE id = p_ticket;
    -- the seq is drawn after every lock, like every audit seq (see PostgresTransaction)
    INSERT INTO audit (seq, ticket_id, assignee, record)
        VALUES (nextval('audit_seq'), p_ticket, v_agent, p_audit);
    RETURN v_agent;
END
$fn$
