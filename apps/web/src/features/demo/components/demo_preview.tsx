import { memo, useEffect, useMemo, useRef, type ReactNode } from 'react';
import { PageSection } from '../../../components/page_section';
import { DEMO_LABEL_NOISE } from '@splitlearn/split-core/pure';
import { grayToRgba, previewSamples, type PreviewImage } from '../preview_samples';

const PER_CLASS = 4;
const SIZE = 28;

function PreviewCanvas({ image, label }: { image: PreviewImage; label: string }): ReactNode {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    ref.current?.getContext('2d')?.putImageData(new ImageData(grayToRgba(image.gray), SIZE, SIZE), 0, 0);
  }, [image]);
  return <canvas ref={ref} width={SIZE} height={SIZE} role="img" aria-label={label} className="demo-image" />;
}

/** A few of the generated images per class: what the hospitals train on. Drawn once; the cards re-render, not this. */
export const DemoPreview = memo(function DemoPreview(): ReactNode {
  const classes = useMemo(() => previewSamples(PER_CLASS, SIZE), []);
  return (
    <PageSection title="The demo images">
      <p className="hint">
        Generated chest radiographs, {SIZE} × {SIZE} pixels as the model sees them. A nodule is a thin ring, a normal image has a smooth blob of the same brightness, so
        only the shape tells them apart. About {Math.round(DEMO_LABEL_NOISE * 100)} % of the labels are flipped on purpose, as readers sometimes disagree.
      </p>
      <div className="class-examples">
        {classes.map((entry) => (
          <figure key={entry.name}>
            <figcaption>{entry.name}</figcaption>
            <div className="thumbnails">
              {entry.images.map((image, i) => (
                <PreviewCanvas key={image.id} image={image} label={`Generated ${entry.name} image ${i + 1}`} />
              ))}
            </div>
          </figure>
        ))}
      </div>
    </PageSection>
  );
});
