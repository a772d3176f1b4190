import type { DeployStep } from '../../shared/contract/deploy.js';

/** A failure during one step on one server, with a message meant for the person running the deploy. */
export class DeployError extends Error {
  constructor(
    readonly step: DeployStep,
    message: string,
  ) {
    super(message);
    this.name = 'DeployError';
  }
}
