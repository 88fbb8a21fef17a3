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
-- The ticket's record text comes with "\u0000" as its assignee, a JSON string no
-- record holds otherwise (every text of a ticket, profile or name refuses NUL); the
-- assignee is put in its place here, the rest of the text kept as written (as
-- update_ticket stores it, "allocation" NULL: a hand-out leaves the decision as
-- routed), and in the "assignee" columns of the ticket and the audit row. The record
-- is never read as jsonb, which would rewrite its numbers (1e16 as
-- 10000000000000000, 1e300 as 301 digits no reader takes) and reorder its keys.
-- tests/stores/test_postgres_handout.py checks it against the memory store, and
-- tests/stores/test_s51_pg_rolling_deploy.py a caller of schema 11.
DECLARE
    v_agent text;
BEGIN
    SELECT s.agent INTO v_agent
        FROM helpdesk_round_robin_step(p_pool, p_members, p_capacity) s;
    IF v_agent IS NULL THEN
        RETURN NULL;
    END IF;
    -- A record without the marker comes from a process of a release before schema 12,
    -- still running while a newer one migrated the database (a rolling deploy): its
    -- record's assignee is null, which that release's body set through jsonb; set so,
    -- its ticket's record and "assignee" column agree (the marker's body left the record
    -- saying unassigned, the column and the audit naming the agent). Its numbers are
    -- rewritten as that release's own body rewrote them (a float from 1e16 to 2**63
    -- reads back as an integer; past 64 bits, _storable reads the digits as the float).
    UPDATE tickets SET assignee = v_agent, allocation = NULL,
            record = CASE WHEN strpos(p_record, '"\u0000"') > 0
                THEN replace(p_record, '"\u0000"', to_jsonb(v_agent)::text)
                ELSE jsonb_set(p_record::jsonb, '{assignee}', to_jsonb(v_agent))::text
            END
        WHERE id = p_ticket;
    -- the seq is drawn after every lock, like every audit seq (see PostgresTransaction)
    INSERT INTO audit (seq, ticket_id, assignee, record)
        VALUES (nextval('audit_seq'), p_ticket, v_agent, p_audit);
    RETURN v_agent;
END
$fn$
