import { useId, type ReactNode } from 'react';

// A numbered step of a page, a landmark region named by its heading.

export function PageSection({ step, title, children, className }: { step?: number; title: string; children: ReactNode; className?: string }): ReactNode {
  const id = useId();
  return (
    <section aria-labelledby={id} className={`card ${className ?? ''}`}>
      <h2 id={id}>
        {step !== undefined && <span className="step-number" aria-hidden="true">{step}</span>}
        {title}
      </h2>
      {children}
    </section>
  );
}
