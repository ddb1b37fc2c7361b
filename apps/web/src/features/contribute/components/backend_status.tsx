import type { ReactNode } from 'react';
import { FactList } from '../../../components/fact_list';
import type { BackendChoice } from '../../../worker/messages';

function describe(backend: BackendChoice): string {
  const name = backend.name === 'webgl' ? 'WebGL' : backend.name === 'wasm' ? 'WebAssembly' : 'CPU (JavaScript)';
  return `${name}${backend.name === 'webgl' ? (backend.software ? ' (software rendering)' : ' (graphics card)') : ''}`;
}

export function BackendStatus({ backend }: { backend: BackendChoice | undefined }): ReactNode {
  return (
    <FactList
      label="Training engine details"
      facts={[
        { label: 'Training engine', value: backend ? describe(backend) : 'Starting…' },
        { label: 'Why this engine', value: backend ? backend.reason : 'Checking for a graphics card…' },
      ]}
    />
  );
}
