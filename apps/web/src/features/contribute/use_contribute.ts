import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { forgetIdentity, loadIdentity, saveIdentity, type Identity } from '../../lib/resume_store';
import { labels, studyKeyFromFragment, studyKeyProblem } from '@splitlearn/split-core/pure';
import { joinPath } from '../../lib/routes';
import { saveFiles } from '../../lib/save_files';
import { parseExportedSegments, parseWorkerToMain, THREADED_WORKER_NAME, type EnginePreference, type ImageCandidate, type MainToWorker, type UidLabels } from '../../worker/messages';
import { savedEngine, saveEngine } from './engine_choice';
import { contributeReducer, initialContributeState, type ContributeState, type PickedSummary } from './contribute_state';
import { foundClasses } from './files/found_classes';
import type { PartyImagesPick } from './files/party_image_folder';

// The one owner of the training worker for the Contribute page: it starts the worker, checks
// every message that comes back, turns user actions into commands and keeps the
// participant's identity in localStorage so a reload rejoins as the same participant.
// The page's main thread never touches tfjs or the socket: both live in the worker.

export interface ContributeControls {
  state: ContributeState;
  /** Identity saved in this browser for the looked-up join code, if any. */
  savedIdentity: Identity | undefined;
  /** The clinician's files by relative path, for thumbnails. */
  files: ReadonlyMap<string, File>;
  setJoinCode: (joinCode: string) => void;
  /** The study key typed in, where the study's hand-off is encrypted. */
  setStudyKey: (studyKey: string) => void;
  /** The training engine asked for (remembered in this browser). */
  engine: EnginePreference;
  setEngine: (preference: EnginePreference) => void;
  dismissError: (errorId: number) => void;
  lookup: () => void;
  pickImages: (files: labels.PickedFile<File>[]) => void;
  pickCsv: (files: File[]) => void;
  /** A vertical party: its table and which party it is; `idColumn` when its CSV names the patient id column differently. */
  pickTable: (choice: TableChoice) => void;
  /** A vertical image party: its mapping CSV and the folder of images it names; decoded in the worker. */
  pickPartyImages: (choice: PartyImagesChoice) => void;
  /** A study with positions: the one this device takes (an intermediate one needs no data). */
  pickPosition: (position: number) => void;
  join: () => void;
  pause: () => void;
  resume: () => void;
  leave: () => void;
  withdraw: () => void;
  /** Saves this device's trained client segment(s) as tfjs model files (the worker serializes them). */
  downloadSegments: () => void;
}

export interface TableChoice {
  party: number;
  file: File;
  idColumn?: string;
}

export interface PartyImagesChoice extends PartyImagesPick<File> {
  party: number;
  idColumn?: string;
}

interface CsvSource {
  name: string;
  text: string;
}

/** What the worker is given to read: images labelled by path or folder, and those a CSV may list by SOP Instance UID (`label` absent). */
interface Candidates {
  images: ImageCandidate[];
  uidLabels?: UidLabels;
}

function summarize(images: labels.PickedFile<File>[], csvSources: CsvSource[]): { picked: PickedSummary; candidates: Candidates } {
  const rows: labels.ManifestRow[] = [];
  const csvProblems: string[] = [];
  for (const source of csvSources) {
    const parsed = labels.parseLabelManifest(source.text);
    rows.push(...parsed.rows);
    csvProblems.push(...parsed.problems.map((problem) => `${source.name}, line ${problem.line}: ${problem.reason}`));
  }
  const assignment = labels.assignLabels(images, csvSources.length > 0 ? rows : undefined);
  return {
    picked: {
      labelSource: assignment.labelSource,
      imageCount: assignment.images.length,
      byUidCount: assignment.byUid.length,
      found: foundClasses(assignment.images),
      skipped: assignment.skipped,
      csvProblems,
      csvRowsWithoutFile: assignment.csvRowsWithoutFile,
    },
    candidates: {
      images: [...assignment.images.map(({ path, label, file }) => ({ path, label, file })), ...assignment.byUid.map(({ path, file }) => ({ path, file }))],
      ...(assignment.byUid.length > 0 ? { uidLabels: assignment.uidLabels } : {}),
    },
  };
}

async function readCsv(files: readonly File[]): Promise<CsvSource[]> {
  return Promise.all(files.map(async (file) => ({ name: file.webkitRelativePath || file.name, text: await file.text() })));
}

export function useContribute(initialJoinCode: string): ContributeControls {
  // The key comes in the invite link's fragment, which the browser never sends to the relay.
  const [state, dispatch] = useReducer(contributeReducer, initialJoinCode, (code) => initialContributeState(code, studyKeyFromFragment(window.location.hash)));
  const workerRef = useRef<Worker | undefined>(undefined);
  /** The code the current study was looked up with: the identity is stored under it. */
  const studyCodeRef = useRef(initialJoinCode.trim());
  const candidatesRef = useRef<Candidates>({ images: [] });
  const studyKnownRef = useRef(false);
  const [images, setImages] = useState<labels.PickedFile<File>[]>([]);
  const [csvFiles, setCsvFiles] = useState<File[]>([]);

  const post = useCallback((message: MainToWorker) => workerRef.current?.postMessage(message), []);
  const [engine, setEngineState] = useState<EnginePreference>(() => savedEngine(localStorage));
  const setEngine = useCallback(
    (preference: EnginePreference) => {
      saveEngine(localStorage, preference);
      setEngineState(preference);
      dispatch({ type: 'engine-requested' });
      post({ type: 'engine', preference });
    },
    [post],
  );

  const prepareIfReady = useCallback(() => {
    if (studyKnownRef.current && candidatesRef.current.images.length > 0) post({ type: 'prepare', ...candidatesRef.current });
  }, [post]);

  useEffect(() => {
    const worker = new Worker(new URL('../../worker/training_worker.ts', import.meta.url), { type: 'module', name: THREADED_WORKER_NAME });
    workerRef.current = worker;
    worker.addEventListener('message', (event: MessageEvent<unknown>) => {
      const parsed = parseWorkerToMain(event.data);
      if (!parsed.ok) {
        dispatch({ type: 'page-error', error: { code: 'bad-message', message: `unexpected message from the training worker: ${parsed.error}` } });
        return;
      }
      const message = parsed.message;
      if (message.type === 'joined') {
        saveIdentity(localStorage, studyCodeRef.current, message.credentials);
      }
      // The engine chosen failed its test step and another took over: the choice shows the one running (the saved choice stays).
      if (message.type === 'backend' && message.backend.replaced !== undefined) setEngineState(message.backend.preference ?? 'auto');
      if (message.type === 'participation' && message.status === 'withdrawn') {
        forgetIdentity(localStorage, studyCodeRef.current);
      }
      dispatch({ type: 'worker', message, at: performance.now() });
      if (message.type === 'study') {
        studyKnownRef.current = true;
        prepareIfReady();
      }
    });
    worker.addEventListener('error', (event) => {
      dispatch({ type: 'page-error', error: { code: 'internal', message: `the training worker stopped: ${event.message || 'it could not be loaded'}` } });
    });
    worker.postMessage({ type: 'time-steps' } satisfies MainToWorker);
    // The engine this browser chose before, if not the automatic one.
    const preference = savedEngine(localStorage);
    if (preference !== 'auto') worker.postMessage({ type: 'engine', preference } satisfies MainToWorker);
    const code = studyCodeRef.current;
    if (code !== '') {
      dispatch({ type: 'lookup-started', joinCode: code });
      worker.postMessage({ type: 'lookup', joinCode: code } satisfies MainToWorker);
    }
    return () => {
      worker.terminate();
      workerRef.current = undefined;
    };
  }, [prepareIfReady]);

  // Images and CSV manifests can be chosen in either order: labels are re-derived from both.
  useEffect(() => {
    if (images.length === 0 && csvFiles.length === 0) return;
    let cancelled = false;
    const folderCsv = images.filter((entry) => labels.isCsvPath(entry.path)).map((entry) => entry.file);
    readCsv([...folderCsv, ...csvFiles]).then(
      (sources) => {
        if (cancelled) return;
        const { picked, candidates } = summarize(images, sources);
        candidatesRef.current = candidates;
        dispatch({ type: 'files-picked', picked });
        prepareIfReady();
      },
      (error: unknown) => {
        if (!cancelled) dispatch({ type: 'page-error', error: { code: 'no-usable-images', message: `the CSV file could not be read (${error instanceof Error ? error.message : String(error)})` } });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [images, csvFiles, prepareIfReady]);

  const files = useMemo(() => new Map(images.map((entry) => [entry.path.replace(/\\/g, '/'), entry.file])), [images]);
  // Re-read when joining or withdrawing may have changed what is stored (both happen in the
  // worker-message handler just before the state change that lists here).
  const { studyCode, participantId, participation } = state;
  const savedIdentity = useMemo(() => (participation === 'withdrawn' ? undefined : loadIdentity(localStorage, studyCode)), [studyCode, participantId, participation]);

  const lookup = useCallback(() => {
    const code = state.joinCode.trim();
    if (code === '') return;
    studyCodeRef.current = code;
    studyKnownRef.current = false;
    // The code goes into the address, so a reload (and the rejoin it allows) keeps it.
    if (window.location.pathname !== joinPath(code)) window.history.replaceState(null, '', `${joinPath(code)}${window.location.hash}`);
    dispatch({ type: 'lookup-started', joinCode: code });
    post({ type: 'lookup', joinCode: code });
  }, [post, state.joinCode]);

  const downloadSegments = useCallback(() => {
    const worker = workerRef.current;
    if (!worker) return;
    // A request with one reply: it comes back on its own channel, not in the event stream.
    const channel = new MessageChannel();
    channel.port1.onmessage = (event: MessageEvent<unknown>) => {
      channel.port1.close();
      const parsed = parseExportedSegments(event.data);
      if (!parsed.ok) dispatch({ type: 'page-error', error: { code: 'bad-message', message: `unexpected model files from the training worker: ${parsed.error}` } });
      else if (!parsed.message.ok) dispatch({ type: 'page-error', error: parsed.message.error });
      else saveFiles(parsed.message.files);
    };
    worker.postMessage({ type: 'export-segments' } satisfies MainToWorker, [channel.port2]);
  }, []);

  const pickTable = useCallback(
    ({ party, file, idColumn }: TableChoice) => {
      dispatch({ type: 'table-picked', party, fileName: file.name });
      post({ type: 'prepare-table', party, table: file, fileName: file.name, ...(idColumn !== undefined ? { idColumn } : {}) });
    },
    [post],
  );

  const pickPartyImages = useCallback(
    ({ party, csv, csvName, images: folder, idColumn }: PartyImagesChoice) => {
      dispatch({ type: 'table-picked', party, fileName: csvName, images: true });
      post({ type: 'prepare-party-images', party, csv, csvName, images: folder, ...(idColumn !== undefined ? { idColumn } : {}) });
    },
    [post],
  );

  const pickPosition = useCallback(
    (position: number) => {
      dispatch({ type: 'position-picked', position });
      post({ type: 'prepare-position', position });
    },
    [post],
  );

  // A study whose hand-off is encrypted: the key is checked against the study before anything is sent.
  const keyCheck = state.study?.handoffKeyCheck;
  useEffect(() => {
    if (keyCheck === undefined) return;
    const key = state.studyKey;
    void studyKeyProblem(keyCheck, key).then((problem) => dispatch({ type: 'study-key-checked', studyKey: key, problem: problem ?? null }));
  }, [keyCheck, state.studyKey]);

  const studyKey = keyCheck !== undefined ? state.studyKey.trim() : '';
  const join = useCallback(() => {
    dispatch({ type: 'join-started' });
    const resume = loadIdentity(localStorage, studyCodeRef.current);
    post({ type: 'join', ...(resume ? { resume } : {}), ...(studyKey !== '' ? { studyKey } : {}) });
  }, [post, studyKey]);

  return {
    state,
    savedIdentity,
    files,
    setJoinCode: (joinCode) => dispatch({ type: 'join-code-changed', joinCode }),
    setStudyKey: (key) => dispatch({ type: 'study-key-changed', studyKey: key }),
    engine,
    setEngine,
    dismissError: (id) => dispatch({ type: 'error-dismissed', id }),
    lookup,
    pickImages: setImages,
    pickCsv: setCsvFiles,
    pickTable,
    pickPartyImages,
    pickPosition,
    join,
    pause: () => post({ type: 'pause' }),
    resume: () => post({ type: 'resume' }),
    leave: () => post({ type: 'leave' }),
    withdraw: () => post({ type: 'withdraw' }),
    downloadSegments,
  };
}
