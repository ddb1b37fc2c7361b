import { useCallback, useEffect, useReducer, useRef } from 'react';
import { parseWorkerToMain, type MainToWorker, type WorkerError } from '../../worker/messages';
import { startDemoStudy, type DemoSchedule } from './demo_api';
import { demoReducer, hospitalName, initialDemoState, type DemoState } from './demo_state';

// The one owner of the booth demo's hospitals: it asks the relay for a fresh demo study,
// starts one training worker per simulated hospital (the Contribute page's worker, so each
// hospital joins through the same lookup and join as a clinician), gives each its own shard
// of the generated images, and terminates them all on reset and when the page is left.
// Demo hospitals keep no identity in localStorage: a reload starts a fresh demo, and the
// Contribute page's saved identities are never touched.

/**
 * Hospitals starting up (loading tfjs, compiling wasm, building the model, rendering their
 * images) at once. Measured with 16 hospitals on 2 cores (e2e/demo_booth_bench.ts): started
 * all together, the page's main thread missed 41 frames by over 100 ms in the first 11 s
 * (worst 433 ms); two at a time, 10 (worst 233 ms), and every hospital had joined after about
 * the same 11 s. Training waits for all of them anyway (the study's minClients).
 */
const STARTING_AT_ONCE = 2;

export interface DemoControls {
  state: DemoState;
  /** Finishes any running demo (its workers, and on the relay its study) and starts `hospitals` new ones. */
  start: (hospitals: number) => void;
}

/** `wasmOnly`: every hospital trains on WebAssembly, since one graphics card may not give 16 pages a WebGL context each. */
export function useDemo(schedule: DemoSchedule, wasmOnly = false): DemoControls {
  const [state, dispatch] = useReducer(demoReducer, undefined, initialDemoState);
  const workersRef = useRef<Worker[]>([]);
  const runRef = useRef(0);

  const terminateAll = useCallback(() => {
    for (const worker of workersRef.current) worker.terminate();
    workersRef.current = [];
  }, []);

  // Leaving the page stops every hospital.
  useEffect(() => terminateAll, [terminateAll]);

  const launch = useCallback((run: number, hospitals: number, joinCode: string, engine: 'auto' | 'wasm') => {
    let next = 0;
    let starting = 0;
    const startMore = (): void => {
      while (run === runRef.current && starting < STARTING_AT_ONCE && next < hospitals) {
        starting += 1;
        startHospital(next++);
      }
    };
    function startHospital(index: number): void {
      let started = false;
      /** Joined or given up: the next hospital may start. */
      const doneStarting = (): void => {
        if (started) return;
        started = true;
        starting -= 1;
        startMore();
      };
      const failed = (error: WorkerError): void => {
        doneStarting();
        dispatch({ type: 'worker-failed', run, hospital: index, error });
      };
      const worker = new Worker(new URL('../../worker/training_worker.ts', import.meta.url), { type: 'module', name: hospitalName(index) });
      const post = (message: MainToWorker): void => worker.postMessage(message);
      worker.addEventListener('message', (event: MessageEvent<unknown>) => {
        if (run !== runRef.current) return;
        const parsed = parseWorkerToMain(event.data);
        if (!parsed.ok) {
          failed({ code: 'bad-message', message: `unexpected message from the training worker: ${parsed.error}` });
          return;
        }
        const message = parsed.message;
        // Each hospital goes the clinician's way: look up, prepare its data, join.
        if (message.type === 'study') post({ type: 'prepare-demo', hospital: index, hospitals });
        if (message.type === 'dataset' && message.trainCount > 0) post({ type: 'join', label: hospitalName(index) });
        if (message.type === 'joined' || message.type === 'error') doneStarting();
        // The meter's traffic and decode progress are not on the cards: no re-render for them.
        if (message.type === 'traffic' || message.type === 'decode-progress') return;
        dispatch({ type: 'worker', run, hospital: index, message });
      });
      worker.addEventListener('error', (event) => {
        if (run === runRef.current) failed({ code: 'internal', message: `the training worker stopped: ${event.message || 'it could not be loaded'}` });
      });
      workersRef.current.push(worker);
      dispatch({ type: 'hospital-started', run, hospital: index });
      if (engine !== 'auto') post({ type: 'engine', preference: engine });
      post({ type: 'lookup', joinCode });
    }
    startMore();
  }, []);

  const start = useCallback(
    (hospitals: number) => {
      terminateAll();
      const run = runRef.current + 1;
      runRef.current = run;
      dispatch({ type: 'creating', run, hospitals });
      void startDemoStudy({ hospitals, schedule }, window.location.origin).then((result) => {
        if (run !== runRef.current) return;
        if (!result.ok) {
          dispatch({ type: 'create-failed', run, error: result.error });
          return;
        }
        dispatch({ type: 'created', run, study: result.study });
        launch(run, hospitals, result.study.joinCode, wasmOnly ? 'wasm' : 'auto');
      });
    },
    [launch, schedule, terminateAll, wasmOnly],
  );

  return { state, start };
}
