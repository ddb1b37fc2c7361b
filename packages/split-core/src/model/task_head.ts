// Multi-task split learning's heads (PAPER.md Fig. 4b), as the study plans them (tfjs-free):
// the server's last layer holds every task's logits side by side, one group per task.

/** One task of a multi-task server: how many classes it has and its weight in the loss. */
export interface TaskHead {
  name: string;
  classes: number;
  weight: number;
}
