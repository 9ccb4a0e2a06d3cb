// A file mapped into memory with MAP_SHARED (libc mmap through koffi): what a process writes
// into the returned Buffer is at once what every other process reads from the file with
// read() (Linux keeps a shared mapping and the page cache one and the same), without a system
// call per write. The twin's air uses it so a control costs a memory copy, not a pwrite.
//
// The mapping lives until the process exits: it is never unmapped, because a Buffer over
// unmapped memory would crash the process on its next write. Callers map a few small files.
import { koffi, tryLoadLibrary } from './lib.js';

const PROT_READ = 1;
const PROT_WRITE = 2;
const MAP_SHARED = 1;
/** mmap's MAP_FAILED, (void *)-1, as koffi 3 returns pointers (BigInt). */
const MAP_FAILED = 0xffffffffffffffffn;

/**
 * `length` bytes of the open file `fd` from offset 0, shared with every process that reads or
 * maps the file; undefined where koffi or mmap is unavailable (callers then write with pwrite).
 * The file must already be at least `length` bytes long (a write past its end would fault).
 */
export function mapShared(fd: number, length: number): Buffer | undefined {
  const libc = tryLoadLibrary('libc', ['libc.so.6']);
  const mmap = libc?.optionalFn('void *mmap(void *addr, size_t length, int prot, int flags, int fd, int64_t offset)');
  if (!mmap) return undefined;
  const ptr: unknown = mmap(null, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (typeof ptr !== 'bigint' || ptr === MAP_FAILED) return undefined;
  return Buffer.from(koffi().view(ptr, length));
}
