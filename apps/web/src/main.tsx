import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app';
import './styles.css';

// The main thread renders the page only: tfjs, the socket and the training run in the
// worker (worker/training_worker.ts). Keep tfjs and split-core value imports out of every
// module reachable from here; main_thread_imports.test.ts checks it.

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');
createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
