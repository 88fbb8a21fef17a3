CREATE OR REPLACE FUNCTION helpdesk_route_round_robin(
    p_pool text, p_members text[], p_capacity integer,
    p_ticket text, p_created timestamptz, p_status text, p_channel text, p_team text,
    p_views text[], p_record text, p_audit_given text, p_audit_waiting text,
    p_configuration integer,
    OUT agent text, OUT last text, OUT shown jsonb, OUT passed integer,
    OUT all_offline boolean, OUT stored text, OUT stored_allocation jsonb,
    OUT stale integer)
LANGUAGE plpgsql AS $fn$
-- A whole route with the Router's round robin taken in the database, so that the
-- pool's rotation row is locked only while the server works: claim the ticket id,
-- answer the stored record if the id is stored, else take one round-robin step
-- (helpdesk_round_robin_step, round_robin_step.sql: it answers facts, never sentences;
-- allocation/steps.py renders the reason) and store the ticket and its audit record.
-- The ticket's record text is stored as the client sent it (with no assignee and no
-- allocation), the facts go to the "allocation" column and the agent to "assignee";
-- the adapter puts them together when it reads the row. The audit record's assignee
-- goes to the audit table's "assignee" column likewise.
-- Answers "stale" (the stored configuration version) without writing anything when
-- p_configuration is given and is not the stored version. Every statement takes a
-- fresh snapshot (READ COMMITTED): what follows a lock sees every unit that committed
-- before it. tests/stores/test_postgres_round_robin.py checks it against RoundRobin
-- and the Router.
DECLARE
    v_stored integer;
BEGIN
    -- Claim the id first (the lock every unit adding a ticket takes), so a concurrent
    -- route of the same id waits here, before any rotation lock, and then finds it.
    PERFORM pg_advisory_xact_lock(1212696662, hashtext(p_ticket));
    SELECT t.record, t.allocation INTO stored, stored_allocation
        FROM tickets t WHERE t.id = p_ticket;
    IF FOUND THEN
        RETURN;
    END IF;
    IF p_configuration IS NOT NULL THEN
        SELECT coalesce(max(c.version), 0) INTO v_stored FROM configurations c;
        IF v_stored <> p_configuration THEN
            stale := v_stored;
            RETURN;
        END IF;
    END IF;
    SELECT s.agent, s.last, s.shown, s.passed, s.all_offline
        INTO agent, last, shown, passed, all_offline
        FROM helpdesk_round_robin_step(p_pool, p_members, p_capacity) s;
    INSERT INTO tickets (id, created, status, channel, team, assignee, views, record,
                         allocation)
        VALUES (p_ticket, p_created, p_status, p_channel, p_team, agent, p_views, p_record,
                jsonb_build_object('pool', p_pool, 'agent', agent, 'last', last,
                                   'shown', shown, 'passed', passed,
                                   'all_offline', all_offline));
    -- the seq is drawn after every lock, like every audit seq (see PostgresTransaction)
    INSERT INTO audit (seq, ticket_id, assignee, record)
        VALUES (nextval('audit_seq'), p_ticket, agent,
                CASE WHEN agent IS NULL THEN p_audit_waiting ELSE p_audit_given END);
END
$fn$
