CREATE FUNCTION helpdesk_hand_out_round_robin(
    p_pool text, p_members text[], p_capacity integer, p_ticket text,
    p_record text, p_audit text)
RETURNS text
LANGUAGE plpgsql AS $fn$
-- One hand-out of a waiting ticket (handout.give) with the Router's round robin
-- (RoundRobin.step in allocation/round_robin.py) taken in the database, in the unit
-- of work of the rest of the hand-out: lock the pool's rotation row, choose exactly as
-- RoundRobin().allocate would, store the ticket with that assignee, move the rotation
-- and append the "assigned" audit record, in one round trip. Answers the agent, or
-- NULL (nobody in the pool may take the ticket) having written nothing.
-- The ticket's record text comes with no assignee; the assignee is set here in the
-- record (as update_ticket stores it, "allocation" NULL: a hand-out leaves the
-- decision as routed) and in the "assignee" columns of the ticket and the audit row.
-- Eligibility as in helpdesk_route_round_robin (route_round_robin.sql): Online, and
-- below the agent's capacity, else p_capacity; the agent's load lock; code point
-- order. p_members: the team's members ascending, or NULL for the global pool (the
-- Online agents). tests/stores/test_postgres_handout.py checks it against the memory
-- store.
DECLARE
    v_state_text text;
    v_state jsonb;
    v_extra integer;
    v_last text COLLATE "C";
    v_ids text[];
    v_n integer;
    v_lo integer;
    v_hi integer;
    v_mid integer;
    v_start integer := 0;
    v_cand text;
    v_online boolean;
    v_cap integer;
    v_load bigint;
    v_agent text;
BEGIN
    SELECT r.state INTO v_state_text FROM rotation r WHERE r.pool = p_pool FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO rotation (pool, state)
            VALUES (p_pool, '{"last":null,"given":0,"extra":{}}')
            ON CONFLICT (pool) DO NOTHING;
        SELECT r.state INTO v_state_text FROM rotation r WHERE r.pool = p_pool FOR UPDATE;
    END IF;
    v_state := v_state_text::jsonb;
    v_last := v_state ->> 'last';
    IF p_members IS NULL THEN
        SELECT coalesce(array_agg(a.id ORDER BY a.id), '{}') INTO v_ids
            FROM agents a WHERE a.online;
    ELSE
        v_ids := p_members;
    END IF;
    v_n := coalesce(array_length(v_ids, 1), 0);
    IF v_last IS NOT NULL THEN
        -- bisect_right: how many ids sort at or before the last one (code point order)
        v_lo := 0;
        v_hi := v_n;
        WHILE v_lo < v_hi LOOP
            v_mid := (v_lo + v_hi) / 2;
            IF v_last < (v_ids[v_mid + 1] COLLATE "C") THEN
                v_hi := v_mid;
            ELSE
                v_lo := v_mid + 1;
            END IF;
        END LOOP;
        v_start := v_lo;
    END IF;
    FOR v_step IN 0 .. v_n - 1 LOOP
        v_cand := v_ids[(v_start + v_step) % v_n + 1];
        v_online := NULL;
        v_cap := NULL;
        -- FOR SHARE: a presence change of this agent waits for this unit to end.
        SELECT a.online, (a.agent::jsonb ->> 'capacity')::integer
            INTO v_online, v_cap FROM agents a WHERE a.id = v_cand FOR SHARE;
        v_online := coalesce(v_online, false);
        v_cap := coalesce(v_cap, p_capacity);
        IF v_online THEN
            IF v_cap IS NULL THEN
                v_agent := v_cand;
                EXIT;
            END IF;
            -- The agent's load lock (PostgresTransaction.open_load takes it too).
            PERFORM pg_advisory_xact_lock(1212696663, hashtext(v_cand));
            SELECT count(*) INTO v_load FROM tickets t
                WHERE t.assignee = v_cand AND t.status IN ('open', 'pending');
            IF v_load < v_cap THEN
                v_agent := v_cand;
                EXIT;
            END IF;
        END IF;
    END LOOP;
    IF v_agent IS NULL THEN
        RETURN NULL;
    END IF;
    -- RotationState's JSON as pydantic writes it, with "extra" kept as text; any other
    -- layout goes through jsonb.
    v_extra := 0;
    IF v_state_text ~ '^[{]"last":(null|"([^"\\]|\\.)*"),"given":[0-9]+,"extra":' THEN
        v_extra := strpos(v_state_text, ',"extra":');
    END IF;
    UPDATE rotation SET state = CASE WHEN v_extra > 0
            THEN '{"last":' || to_json(v_agent)::text || ',"given":'
                || (coalesce((v_state ->> 'given')::bigint, 0) + 1)
                || substr(v_state_text, v_extra)
            ELSE jsonb_set(jsonb_set(v_state, '{last}', to_jsonb(v_agent)), '{given}',
                to_jsonb(coalesce((v_state ->> 'given')::bigint, 0) + 1))::text END
        WHERE pool = p_pool;
    UPDATE tickets SET assignee = v_agent, allocation = NULL,
            record = jsonb_set(p_record::jsonb, '{assignee}', to_jsonb(v_agent))::text
        WHERE id = p_ticket;
    -- the seq is drawn after every lock, like every audit seq (see PostgresTransaction)
    INSERT INTO audit (seq, ticket_id, assignee, record)
        VALUES (nextval('audit_seq'), p_ticket, v_agent, p_audit);
    RETURN v_agent;
END
$fn$
