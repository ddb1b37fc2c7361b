import type { ReactNode } from 'react';
import { allSkipped } from './contribute_state';
import { BackendStatus } from './components/backend_status';
import { DataPicker } from './components/data_picker';
import { DataPreview } from './components/data_preview';
import { ErrorList } from './components/error_list';
import { JoinForm } from './components/join_form';
import { PartyPicker } from './components/party_picker';
import { PositionPicker } from './components/position_picker';
import { TablePreviewSection } from './components/table_preview';
import { TrainingPanel } from './components/training_panel';
import { WhatLeavesPanel } from '../../components/what_leaves_panel';
import { useContribute } from './use_contribute';

export function ContributePage({ joinCode }: { joinCode: string }): ReactNode {
  const contribute = useContribute(joinCode);
  const { state } = contribute;
  const participating = state.participation === 'active' || state.participation === 'paused' || state.participation === 'joining';
  return (
    <>
      <div className="page-intro">
        <h1>Contribute to a study</h1>
        <p>Train a shared model with other hospitals. Your images stay in this browser: only the outputs of the first model layers are sent.</p>
        <BackendStatus backend={state.backend} preference={contribute.engine} onPreference={contribute.setEngine} locked={participating} stepTime={state.stepTime} />
      </div>
      <ErrorList errors={state.errors} onDismiss={(id) => contribute.dismissError(id)} />
      <div className="steps">
        <JoinForm
          joinCode={state.joinCode}
          lookingUp={state.lookingUp}
          study={state.study}
          // The "taken part before" hint is for coming back, not for the session under way.
          savedIdentity={participating ? undefined : contribute.savedIdentity}
          onJoinCodeChange={contribute.setJoinCode}
          onLookup={contribute.lookup}
          studyKey={state.studyKey}
          studyKeyProblem={state.studyKeyProblem}
          onStudyKeyChange={contribute.setStudyKey}
        />
        {state.study?.vertical ? (
          <>
            <PartyPicker
              vertical={state.study.vertical}
              {...(state.study.positions ? { positions: state.study.positions } : {})}
              onPosition={contribute.pickPosition}
              table={state.table}
              onTable={contribute.pickTable}
              onImages={contribute.pickPartyImages}
              disabled={participating}
            />
            <TablePreviewSection choice={state.tableChoice} table={state.table} decode={state.decode} />
          </>
        ) : (
          <>
            {state.study?.positions && <PositionPicker positions={state.study.positions} position={state.position} onPosition={contribute.pickPosition} disabled={participating} />}
            {!(state.position !== undefined && state.study?.positions?.[state.position]?.intermediate) && (
              <>
                <DataPicker onImages={contribute.pickImages} onCsv={contribute.pickCsv} disabled={participating} />
                <DataPreview picked={state.picked} dataset={state.dataset} decode={state.decode} skipped={allSkipped(state)} files={contribute.files} studyKnown={state.study !== undefined} />
              </>
            )}
          </>
        )}
        <WhatLeavesPanel egress={state.egress} traffic={state.traffic} vertical={state.study?.vertical !== undefined} />
        <TrainingPanel
          state={state}
          onJoin={contribute.join}
          onPause={contribute.pause}
          onResume={contribute.resume}
          onLeave={contribute.leave}
          onWithdraw={contribute.withdraw}
          onDownloadSegments={contribute.downloadSegments}
        />
      </div>
    </>
  );
}
