// Instrumentation for the fault tests: keeps every link BpfObject.attach makes, so that a
// test can destroy one from outside the source that owns it (as a stray close would), and
// the object it came from, whose maps a test can then fill. `bpftool link detach` cannot
// take these links away: the kernel has no BPF_LINK_DETACH for the raw tracepoint and
// iterator links the families hold (EOPNOTSUPP).
import { BpfObject, type BpfLink } from '@bpfscope/native';

/** The links made while the capture is on. */
export interface LinkCapture {
  /** Every link attached since {@link captureLinks}, in order. */
  readonly links: BpfLink[];
  /** The objects those links were attached from, in order of their first link. */
  readonly objects: BpfObject[];
  /** Destroys the last live link of `program`; throws when there is none. */
  destroy(program: string): void;
  /** Ends the capture. */
  restore(): void;
}

/** Starts keeping the links that `BpfObject.prototype.attach` and `attachUprobe` return. */
export function captureLinks(): LinkCapture {
  const attach = BpfObject.prototype.attach;
  const attachUprobe = BpfObject.prototype.attachUprobe;
  const links: BpfLink[] = [];
  const objects: BpfObject[] = [];
  const keep = (object: BpfObject, link: BpfLink): BpfLink => {
    links.push(link);
    if (!objects.includes(object)) objects.push(object);
    return link;
  };
  BpfObject.prototype.attach = function (this: BpfObject, ...args: Parameters<BpfObject['attach']>) {
    return keep(this, attach.apply(this, args));
  };
  BpfObject.prototype.attachUprobe = function (this: BpfObject, ...args: Parameters<BpfObject['attachUprobe']>) {
    return keep(this, attachUprobe.apply(this, args));
  };
  return {
    links,
    objects,
    destroy(program) {
      const link = links.findLast((l) => l.program === program && l.attached);
      if (!link) throw new Error(`no live link of ${program} among ${links.map((l) => l.program).join(', ')}`);
      link.destroy();
    },
    restore() {
      BpfObject.prototype.attach = attach;
      BpfObject.prototype.attachUprobe = attachUprobe;
    },
  };
}
