// The WAL checkpointer: a thread with its own connection to the database file, copying
// committed pages from the WAL into the database a few times a second. Checkpoints run
// here rather than inside a commit on the event loop, where each one stalled every
// request for the length of its writes and fsyncs.
// Plain JavaScript: a worker thread starts without the TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.filename);
db.pragma('busy_timeout = 1000');
let stopping = false;

function checkpoint() {
  try {
    // PASSIVE never waits for, nor blocks, the writer: what it cannot copy now it copies
    // on the next round.
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    parentPort?.postMessage({ type: 'error', message: String(err?.message ?? err) });
  }
}

const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort?.on('message', (message) => {
  if (message !== 'stop' || stopping) return;
  stopping = true;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort?.postMessage({ type: 'stopped' });
  parentPort?.close();
});
