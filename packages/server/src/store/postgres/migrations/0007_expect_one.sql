-- kassa_expect_one(n): n if it is 1, else an error (SQLSTATE KS409) that aborts the
-- transaction. A status-checked write sent ahead of the commit in one round trip is
-- wrapped in it: a write that found its row moved can then never be committed.
CREATE OR REPLACE FUNCTION kassa_expect_one(n bigint) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
  IF n <> 1 THEN
    RAISE EXCEPTION 'kassa: the row moved (% changed)', n USING ERRCODE = 'KS409';
  END IF;
  RETURN n;
END
$$;
