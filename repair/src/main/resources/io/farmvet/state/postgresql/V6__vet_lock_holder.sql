-- PostgreSQL only: who holds the cluster's vet lock (a session advisory lock, see io.farmvet.daemon.ClusterVetLock),
-- so that a trigger on another instance can answer 409 with the running vet's id and instance. One row, written by
-- the lock's holder right after it takes the lock; a row left by an instance that died is overwritten by the next
-- holder; a reader trusts it only when its backend_pid is the session pg_locks shows holding the lock.
CREATE TABLE vet_lock_holder (
    lock_key BIGINT PRIMARY KEY,
    vet_id VARCHAR(64) NOT NULL,
    instance VARCHAR(200) NOT NULL,
    trigger_kind VARCHAR(20) NOT NULL,
    started_at TIMESTAMP(3) WITH TIME ZONE NOT NULL,
    backend_pid INT NOT NULL
);
