import type { TrafficMeter } from '../accounting/traffic';
import type { Encoding } from '../codec/types';
import { decodeTensor } from '../codec/decode_tensor';
import { encodeTensor } from '../codec/encode_tensor';
import { dataToTensor, tensorToData } from '../codec/tensor_frames';
import type { Link, WireKind } from './link';
import { ProtocolError } from './link';

export interface InProcessLinkOptions {
  /** Encoding of float cut tensors (activations, gradients); labels always travel exactly. */
  encoding: Encoding;
  /** Whose traffic this is, for the meter (the client's id). */
  participantId: string;
  meter?: TrafficMeter;
  /** Largest frame either end accepts. */
  maxFrameBytes?: number;
}

interface Queue {
  frames: { kind: WireKind; bytes: Uint8Array }[];
  waiting: ((frame: { kind: WireKind; bytes: Uint8Array }) => void) | undefined;
}

const DEFAULT_MAX_FRAME_BYTES = 256 * 1024 * 1024;

function createQueue(): Queue {
  return { frames: [], waiting: undefined };
}

function end(
  outbox: Queue,
  inbox: Queue,
  direction: 'up' | 'down',
  options: InProcessLinkOptions,
): Link {
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  return {
    send(kind, tensor) {
      // Every tensor goes through the real codec, so quantization and byte counts match the wire.
      const bytes = encodeTensor(tensorToData(tensor, kind), kind === 'labels' ? 'fp32' : options.encoding);
      options.meter?.record({ participantId: options.participantId, direction, kind, bytes: bytes.byteLength });
      const frame = { kind, bytes };
      const waiting = outbox.waiting;
      if (waiting) {
        outbox.waiting = undefined;
        waiting(frame);
      } else {
        outbox.frames.push(frame);
      }
      return Promise.resolve();
    },
    async receive(kind) {
      const frame =
        inbox.frames.shift() ??
        (await new Promise<{ kind: WireKind; bytes: Uint8Array }>((resolve) => {
          if (inbox.waiting) throw new ProtocolError('two receivers are waiting on one link end');
          inbox.waiting = resolve;
        }));
      if (frame.kind !== kind) throw new ProtocolError(`expected '${kind}' from the peer, received '${frame.kind}'`);
      return dataToTensor(decodeTensor(frame.bytes, { maxFrameBytes }));
    },
    // Two queues in one process deliver every frame in order to the step that waits for it.
    nextStep() {},
  };
}

/** Two connected link ends: the client's (sends 'up') and the server's (sends 'down'). */
export function createInProcessLinkPair(options: InProcessLinkOptions): { client: Link; server: Link } {
  const up = createQueue();
  const down = createQueue();
  return { client: end(up, down, 'up', options), server: end(down, up, 'down', options) };
}
