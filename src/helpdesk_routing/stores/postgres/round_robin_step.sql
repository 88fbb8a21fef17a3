CREATE OR REPLACE FUNCTION helpdesk_round_robin_step(
    p_pool text, p_members text[], p_capacity integer,
    OUT agent text, OUT last text, OUT shown jsonb, OUT passed integer,
    OUT all_offline boolean)
LANGUAGE plpgsql AS $fn$
-- One step of the Router's round robin (RoundRobin.step in allocation/round_robin.py)
-- in the database: lock the pool's rotation row, choose exactly as RoundRobin.allocate
-- would, and move the rotation when someone was chosen. Shared by the route function
-- (route_round_robin.sql) and the hand-out function (hand_out_round_robin.sql), which
-- store the ticket and its audit record around it in the same unit of work.
-- It answers facts, never sentences: the agent chosen (NULL: nobody may take the
-- ticket, and nothing was written), the rotation's last agent before the step, the
-- first five agents passed over (as [id, online, load, capacity]), how many were passed
-- over and whether all of them were offline; allocation/steps.py renders the reason.
-- Eligible: Online, and below the agent's capacity, else p_capacity (NULL: no limit).
-- Order: code point ("C"), as Python sorts ids. p_members: the team's members in
-- ascending order, or NULL for the global pool (the Online agents).
DECLARE
    v_state_text text;
    v_state jsonb;
    v_extra integer;
    v_last text COLLATE "C";
    v_ids text[];
    v_members_online text[];
    v_own_capacity boolean;
    v_n integer;
    v_lo integer;
    v_hi integer;
    v_mid integer;
    v_start integer := 0;
    v_cand text;
    v_online boolean;
    v_cap integer;
    v_load bigint;
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
    last := v_last;
    IF p_members IS NULL THEN
        SELECT coalesce(array_agg(a.id ORDER BY a.id), '{}') INTO v_ids
            FROM agents a WHERE a.online;
    ELSE
        v_ids := p_members;
    END IF;
    v_n := coalesce(array_length(v_ids, 1), 0);
    -- The load locks the walk may take, all at once and in id order, when a capacity
    -- applies (else the walk takes none): two steps in pools that share agents (a team
    -- and the global pool, two teams) then never each hold one agent's lock while
    -- waiting for the other's, a deadlock the walk's own order (the rotation's) made.
    -- Presence cannot change meanwhile: set_online locks the agent's pools first.
    -- Only for a pool of at most 64 Online agents (max_locks_per_transaction's default):
    -- a unit holding thousands of advisory locks would fill the server's lock table.
    -- A larger pool's walk locks as it goes, and a deadlock there is run again.
    -- (One read of the Online members gives both their ids and whether one has a
    -- capacity of their own.)
    SELECT array_agg(a.id ORDER BY a.id COLLATE "C"),
            coalesce(bool_or((a.agent::jsonb ->> 'capacity') IS NOT NULL), false)
        INTO v_members_online, v_own_capacity
        FROM agents a WHERE a.id = ANY (v_ids) AND a.online;
    IF (p_capacity IS NOT NULL OR v_own_capacity)
            AND coalesce(array_length(v_members_online, 1), 0) <= 64 THEN
        FOR v_step IN 1 .. coalesce(array_length(v_members_online, 1), 0) LOOP
            PERFORM pg_advisory_xact_lock(1212696663,
                hashtext(json_build_array(current_schema(), v_members_online[v_step])::text));
        END LOOP;
    END IF;
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
    shown := '[]';
    passed := 0;
    all_offline := true;
    FOR v_step IN 0 .. v_n - 1 LOOP
        v_cand := v_ids[(v_start + v_step) % v_n + 1];
        v_online := NULL;
        v_cap := NULL;
        -- FOR SHARE: a presence change of this agent waits for this unit to end, and
        -- one that committed first is seen here (READ COMMITTED re-reads the row), so
        -- the audit never shows a hand-out to an agent after their Offline record.
        SELECT a.online, (a.agent::jsonb ->> 'capacity')::integer
            INTO v_online, v_cap FROM agents a WHERE a.id = v_cand FOR SHARE;
        v_online := coalesce(v_online, false);
        v_cap := coalesce(v_cap, p_capacity);
        IF v_online THEN
            IF v_cap IS NULL THEN
                agent := v_cand;
                EXIT;
            END IF;
            -- The agent's load lock (PostgresTransaction.open_load takes it too, keyed
            -- alike by the current schema and the id): a unit in another pool that
            -- counts this agent's load waits until this one ends, so an agent in a team
            -- and in the global pool never goes past capacity.
            PERFORM pg_advisory_xact_lock(1212696663,
                hashtext(json_build_array(current_schema(), v_cand)::text));
            SELECT count(*) INTO v_load FROM tickets t
                WHERE t.assignee = v_cand AND t.status IN ('open', 'pending');
            IF v_load < v_cap THEN
                agent := v_cand;
                EXIT;
            END IF;
            all_offline := false;
            IF passed < 5 THEN
                shown := shown || jsonb_build_array(jsonb_build_array(v_cand, true, v_load, v_cap));
            END IF;
        ELSIF passed < 5 THEN
            shown := shown || jsonb_build_array(jsonb_build_array(v_cand, false, NULL, NULL));
        END IF;
        passed := passed + 1;
    END LOOP;
    IF agent IS NOT NULL THEN
        -- RotationState's JSON as pydantic writes it, with "extra" (the allocators' own
        -- data) kept as text; any other layout goes through jsonb.
        v_extra := 0;
        IF v_state_text ~ '^[{]"last":(null|"([^"\\]|\\.)*"),"given":[0-9]+,"extra":' THEN
            v_extra := strpos(v_state_text, ',"extra":');
        END IF;
        UPDATE rotation SET state = CASE WHEN v_extra > 0
                THEN '{"last":' || to_json(agent)::text || ',"given":'
                    || (coalesce((v_state ->> 'given')::bigint, 0) + 1)
                    || substr(v_state_text, v_extra)
                ELSE jsonb_set(jsonb_set(v_state, '{last}', to_jsonb(agent)), '{given}',
                    to_jsonb(coalesce((v_state ->> 'given')::bigint, 0) + 1))::text END
            WHERE pool = p_pool;
    END IF;
END
$fn$
