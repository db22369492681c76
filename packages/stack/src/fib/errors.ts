/**
 * Errors of the control plane as the kernel reports them over rtnetlink: an errno (Linux names,
 * strerror texts from glibc) and, where the kernel sets one, the extack message that iproute2 prints
 * as `Error: MSG.` instead of `RTNETLINK answers: STRERROR`.
 */

export type KernelErrno =
  | 'EEXIST'
  | 'ESRCH'
  | 'ENOENT'
  | 'ENODEV'
  | 'EINVAL'
  | 'ENETUNREACH'
  | 'EHOSTUNREACH'
  | 'EACCES'
  | 'ENETDOWN'
  | 'EXDEV'
  | 'EADDRNOTAVAIL'
  | 'EPERM'
  | 'EAGAIN'
  | 'ENOBUFS'
  | 'EOPNOTSUPP'
  | 'ERANGE'
  | 'EAFNOSUPPORT'
  | 'EMSGSIZE'
  | 'ENFILE';

export const KERNEL_ERRNO_MESSAGE: Record<KernelErrno, string> = {
  EEXIST: 'File exists',
  ESRCH: 'No such process',
  ENOENT: 'No such file or directory',
  ENODEV: 'No such device',
  EINVAL: 'Invalid argument',
  ENETUNREACH: 'Network is unreachable',
  EHOSTUNREACH: 'No route to host',
  EACCES: 'Permission denied',
  ENETDOWN: 'Network is down',
  EXDEV: 'Invalid cross-device link',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EPERM: 'Operation not permitted',
  EAGAIN: 'Resource temporarily unavailable',
  ENOBUFS: 'No buffer space available',
  EOPNOTSUPP: 'Operation not supported',
  ERANGE: 'Numerical result out of range',
  EAFNOSUPPORT: 'Address family not supported by protocol',
  EMSGSIZE: 'Message too long',
  ENFILE: 'Too many open files in system',
};

export interface KernelError {
  errno: KernelErrno;
  /** Extack message without the trailing period (iproute2 prints `Error: <message>.`). */
  message?: string;
}

export type KernelResult = { ok: true } | ({ ok: false } & KernelError);

export const OK: KernelResult = { ok: true };

export function fail(errno: KernelErrno, message?: string): KernelResult {
  return message === undefined ? { ok: false, errno } : { ok: false, errno, message };
}

/** The text iproute2 prints for a kernel error. */
export function rtnetlinkErrorText(error: KernelError): string {
  return error.message !== undefined ? `Error: ${error.message}.` : `RTNETLINK answers: ${KERNEL_ERRNO_MESSAGE[error.errno]}`;
}
