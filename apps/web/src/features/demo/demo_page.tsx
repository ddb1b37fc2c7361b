import type { ReactNode } from 'react';

// Placeholder: the conference-booth demo is built under issue 4.
export function DemoPage(): ReactNode {
  return (
    <div className="page-intro">
      <h1>Booth demo</h1>
      <p>Several simulated hospitals training together in this page will appear here.</p>
    </div>
  );
}
