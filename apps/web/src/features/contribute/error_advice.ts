import type { WorkerErrorCode } from '../../worker/messages';

// Every failure the page can show says what happened in plain words and what to do next.

export interface Advice {
  title: string;
  next: string;
}

const ADVICE: Record<WorkerErrorCode, Advice> = {
  'relay-unreachable': {
    title: 'The study server cannot be reached',
    next: 'Check your network connection, then try again. If it keeps failing, ask your study coordinator whether the relay server is running.',
  },
  'unknown-study': {
    title: 'No study matches this join code',
    next: 'Check the code or open the link your study coordinator sent you again. Codes can be revoked: ask the coordinator for a new one if needed.',
  },
  'protocol-mismatch': {
    title: 'This page and the study server are different versions',
    next: 'Reload the page to get the current version. If the message stays, tell your study coordinator.',
  },
  'wrong-state': {
    title: 'The study is not accepting contributions right now',
    next: 'The study may be finished or closed. Ask your study coordinator when to join.',
  },
  'no-usable-images': {
    title: 'None of the chosen files can be used',
    next: "Choose a folder with one sub-folder per class (for example normal/ and pneumonia/) holding PNG or JPEG images, or add a CSV with file,label rows. Folder and CSV class names must match the study's classes.",
  },
  'unusable-table': {
    title: 'Your table cannot be used for this study',
    next: "Check that you chose your own party, that the CSV's first line names its columns (the patient id column and the study's columns for your party, and the label column if your party holds the labels), then choose the file again.",
  },
  'backend-failed': {
    title: 'The training engine could not start in this browser',
    next: 'Use a current version of Chrome, Edge or Firefox. If you are on a managed computer, ask IT whether WebAssembly or WebGL is disabled.',
  },
  'connection-lost': {
    title: 'The connection to the study server was lost',
    next: 'The page reconnects by itself. If it does not, reload the page and choose your folder again: you will continue as the same participant.',
  },
  'relay-error': {
    title: 'The study server reported a problem',
    next: 'Training continues if it can. If this repeats, leave and join again, or tell your study coordinator what the message says.',
  },
  'withdraw-failed': {
    title: 'Your withdrawal did not go through',
    next: 'Check your connection and try Withdraw again. If it keeps failing, ask your study coordinator to remove your participation.',
  },
  'bad-message': {
    title: 'The page and its training worker disagree',
    next: 'Reload the page. If this repeats, tell your study coordinator.',
  },
  internal: {
    title: 'Something went wrong in the page',
    next: 'Reload the page and try again. If it repeats, tell your study coordinator what the message says.',
  },
};

export function adviceFor(code: WorkerErrorCode): Advice {
  return ADVICE[code];
}

/** Shown whenever files were skipped: not an error, but the clinician should know. */
export function skippedAdvice(count: number): Advice {
  return {
    title: `${count} file${count === 1 ? ' was' : 's were'} skipped`,
    next: 'They will not be used; training uses the other images. The list below says why each was skipped: fix or remove those files and choose the folder again if you want them included.',
  };
}
