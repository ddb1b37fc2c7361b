import type { ReactNode } from 'react';
import { FactList, type Fact } from './fact_list';
import { PageSection } from './page_section';
import { formatBytes, formatCount, formatShape } from '../lib/format';
import type { Egress, Traffic, WireItem } from '../worker/messages';

// The plain statement of what this device sends. The declared figures come from the study
// configuration and this client's split (computed in the worker, never observed); the
// "so far" figures are the participant's own traffic meter, so both can be compared.

const KIND_NAMES: Record<WireItem['kind'], string> = { activations: 'Cut-layer activations', labels: 'Labels', gradients: 'Gradients' };
const MEASURED_KINDS = ['activations', 'labels', 'gradients', 'weights'] as const;
const DECLARED_KINDS = new Set<string>(['activations', 'labels', 'gradients']);

function bytesFact(label: string, bytes: number, hint?: string): Fact {
  return { label, value: bytes < 1000 ? formatBytes(bytes) : `${formatBytes(bytes)} (${formatCount(bytes)} bytes)`, bytes, ...(hint !== undefined ? { hint } : {}) };
}

function itemFacts(items: readonly WireItem[], phase: string): Fact[] {
  const facts = items.map((item) => bytesFact(`${KIND_NAMES[item.kind]} per ${phase} step`, item.bytes, `${formatShape(item.shape)} ${item.dtype}, ${item.dtype === 'int32' ? 'exact' : item.encoding}`));
  facts.push(bytesFact(`Total per ${phase} step`, items.reduce((sum, item) => sum + item.bytes, 0)));
  return facts;
}

function PrivacySettings({ egress }: { egress: Egress }): ReactNode {
  if (!egress.privacy || egress.privacy.length === 0) return null;
  return (
    <>
      <h3>This study&rsquo;s privacy settings</h3>
      <ul aria-label="This study’s privacy settings">
        {egress.privacy.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </>
  );
}

function ItemList({ items }: { items: readonly WireItem[] }): ReactNode {
  if (items.length === 0) return <p>Nothing.</p>;
  return (
    <ul>
      {items.map((item) => (
        <li key={item.kind}>{item.description}</li>
      ))}
    </ul>
  );
}

function measuredFacts(traffic: Traffic | undefined, aligns: boolean): Fact[] {
  const byKind = traffic?.measured.byKind ?? {};
  const declared = traffic?.declared;
  const facts: Fact[] = [];
  // Alignment traffic depends on the other parties' sizes too: measured, not declared per step.
  for (const kind of aligns ? ['alignment', ...MEASURED_KINDS] : MEASURED_KINDS) {
    facts.push(bytesFact(`Sent so far: ${kind}`, byKind[kind]?.up.bytes ?? 0));
    if (DECLARED_KINDS.has(kind)) facts.push(bytesFact(`Declared so far: ${kind}`, declared?.[kind as keyof Traffic['declared']] ?? 0));
  }
  facts.push(bytesFact('Sent so far: all kinds', traffic?.measured.up.bytes ?? 0));
  facts.push(bytesFact('Received so far: all kinds', traffic?.measured.down.bytes ?? 0));
  return facts;
}

function AlignmentSection({ alignment }: { alignment: NonNullable<Egress['alignment']> }): ReactNode {
  return (
    <>
      <h3>Once, before training: lining up patients</h3>
      <p>
        To find the patients every party holds, without anyone seeing another's patient list, this device takes part in a private set intersection through the study
        server. It sends:
      </p>
      <ul aria-label="Sent to line up patients">
        {alignment.items.map((item) => (
          <li key={item.description}>{item.description}</li>
        ))}
      </ul>
      <FactList
        label="Sent to line up patients"
        facts={[
          bytesFact('Blinded patient ids', alignment.blindedIdBytes, `${formatCount(alignment.rows)} ids`),
          bytesFact('Tags of your patients', alignment.tagBytes, `${formatCount(alignment.rows)} tags`),
        ]}
      />
      <p className="hint">The study server learns only how many patients each party holds and how many all hold; each party learns only which of its own patients are shared.</p>
    </>
  );
}

/** `title` and `step`: the contribute page's fourth step by default; the researcher's console (`step` null) shows the same statement before a study exists, without the traffic counted on a device. */
export function WhatLeavesPanel({ egress, traffic, vertical, title = 'What leaves this device', step = 4 }: { egress: Egress | undefined; traffic: Traffic | undefined; vertical?: boolean; title?: string; step?: number | null }): ReactNode {
  if (!egress) {
    return (
      <PageSection step={step ?? undefined} title={title} className="what-leaves">
        <p>
          {vertical
            ? 'Your table or images never leave this device. Once you choose your party and your data, this panel lists exactly what is sent and how large it is.'
            : 'Your images never leave this device. Once you find your study, this panel lists exactly what is sent and how large it is.'}
        </p>
      </PageSection>
    );
  }
  const unit = egress.alignment ? 'patients' : 'images';
  if (egress.data === 'none') return <IntermediateEgress egress={egress} traffic={traffic} title={title} step={step} />;
  return (
    <PageSection step={step ?? undefined} title={title} className="what-leaves">
      {egress.role !== undefined && (
        <p>
          Your role: <strong>{egress.role}</strong>.
        </p>
      )}
      {egress.alignment && <AlignmentSection alignment={egress.alignment} />}
      {egress.alignment && <h3>Each training step</h3>}
      {egress.method ? (
        <p>
          This study trains by <strong>{egress.method.title}</strong>: {egress.method.summary} Training runs in batches of {egress.batchSize} {unit}; for each batch this device sends:
        </p>
      ) : (
        <p>
          Training runs in batches of {egress.batchSize} {unit}. For each batch this device sends only the results of its own layers, never the {egress.alignment && egress.data !== 'images' ? 'table' : 'images'}:
        </p>
      )}
      <ItemList items={egress.train} />
      <FactList label="Sent per training step" facts={itemFacts(egress.train, 'training')} />
      <h3>Validation</h3>
      <p>Some of your {unit} are kept here for validation. For each validation batch this device sends:</p>
      <ItemList items={egress.eval} />
      <FactList label="Sent per validation step" facts={itemFacts(egress.eval, 'validation')} />
      <h3>Model weights</h3>
      <p>
        When the study server asks (to hand the model on to the next hospital, to average it with the others, or to check which weights were scored), this device sends the
        weights of the layers it runs. They describe the model, not any single {unit === 'images' ? 'image' : 'patient'}.
      </p>
      <FactList
        label="Weights per hand-off"
        facts={egress.weights.map((segment) => bytesFact(`Client segment ${segment.segment + 1} weights per hand-off`, segment.bytes, `${formatCount(segment.values)} numbers in ${segment.tensors} tensors, fp32`))}
      />
      <h3>Once, when joining</h3>
      <p>To plan the training rounds and weigh each hospital's part in the shared model, this device tells the study server (the same fields as the protocol's hello message):</p>
      <ul aria-label="Sent when joining">
        {egress.alignment ? (
          <>
            <li>Which party it is and how many patients it brings{egress.data === 'images' ? ' (with an image each)' : ' (rows of its table)'}</li>
            <li>At the label holder only: how many patients there are of each class (counts only)</li>
          </>
        ) : (
          <>
            <li>How many images it will train on and how many it keeps for validation</li>
            <li>How many images there are of each class (counts only, e.g. "normal: 120")</li>
          </>
        )}
        <li>Its kind (a browser), its training engine (e.g. WebAssembly) and a display name if one is set</li>
      </ul>
      <PrivacySettings egress={egress} />
      <h3>Never leaves this device</h3>
      <ul aria-label="Never leaves this device">
        {egress.neverLeaves.map((item) => (
          <li key={item}>{item}</li>
        ))}
      </ul>
      {step !== null && (
        <>
          <h3>Sent so far</h3>
          <p className="hint">
            Counted as each message leaves, since you joined on this page. The declared figures are what the study says the completed steps send; the two should match.
          </p>
          <FactList label="Traffic so far" facts={measuredFacts(traffic, egress.alignment !== undefined)} />
        </>
      )}
    </PageSection>
  );
}

/** An intermediate participant (a hop): no data of its own, so only what it passes on and hands back. */
function IntermediateEgress({ egress, traffic, title, step }: { egress: Egress; traffic: Traffic | undefined; title: string; step: number | null }): ReactNode {
  return (
    <PageSection step={step ?? undefined} title={title} className="what-leaves">
      <p>
        Your role: <strong>{egress.role ?? 'Intermediate participant'}</strong>. This device holds no patient data. For each batch of {egress.batchSize} it receives the
        outputs of the participant(s) before it, runs its own layers on them and sends:
      </p>
      <ItemList items={egress.train} />
      <FactList label="Sent per training step" facts={itemFacts(egress.train, 'training')} />
      <h3>Validation</h3>
      <p>For each validation batch it passes on:</p>
      <ItemList items={egress.eval} />
      <FactList label="Sent per validation step" facts={itemFacts(egress.eval, 'validation')} />
      <h3>Model weights</h3>
      <p>When the study server asks (to check which weights were scored, or after a restart), this device sends the weights of the layers it runs.</p>
      <FactList
        label="Weights per hand-off"
        facts={egress.weights.map((segment) => bytesFact(`Segment ${segment.segment + 1} weights per hand-off`, segment.bytes, `${formatCount(segment.values)} numbers in ${segment.tensors} tensors, fp32`))}
      />
      <PrivacySettings egress={egress} />
      <h3>Never on this device</h3>
      <ul aria-label="Never leaves this device">
        {egress.neverLeaves.map((item) => (
          <li key={item}>{item}</li>
        ))}
      </ul>
      {step !== null && (
        <>
          <h3>Sent so far</h3>
          <FactList label="Traffic so far" facts={measuredFacts(traffic, false)} />
        </>
      )}
    </PageSection>
  );
}
