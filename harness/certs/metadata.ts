// The Reflect metadata API that @peculiar/x509's dependency injection (tsyringe) needs at
// load time. The usual provider is the `reflect-metadata` package, which is not installed
// here; this is the small part of that API tsyringe calls (define/get/has, own and
// inherited). Import it before @peculiar/x509; it does nothing when a provider is present.
type Key = unknown;
type Target = object;
type Prop = string | symbol | undefined;

interface MetadataApi {
  defineMetadata(key: Key, value: unknown, target: Target, prop?: Prop): void;
  getOwnMetadata(key: Key, target: Target, prop?: Prop): unknown;
  hasOwnMetadata(key: Key, target: Target, prop?: Prop): boolean;
  getMetadata(key: Key, target: Target, prop?: Prop): unknown;
  hasMetadata(key: Key, target: Target, prop?: Prop): boolean;
  metadata(key: Key, value: unknown): (target: Target, prop?: Prop) => void;
}

const reflect = Reflect as typeof Reflect & Partial<MetadataApi>;

if (typeof reflect.getMetadata !== 'function') {
  const store = new WeakMap<Target, Map<Prop, Map<Key, unknown>>>();
  const bag = (t: Target, p: Prop, create: boolean): Map<Key, unknown> | undefined => {
    let byProp = store.get(t);
    if (!byProp) {
      if (!create) return undefined;
      byProp = new Map();
      store.set(t, byProp);
    }
    let m = byProp.get(p);
    if (!m && create) byProp.set(p, (m = new Map()));
    return m;
  };
  const owner = (k: Key, t: Target, p: Prop): Target | undefined => {
    for (let o: Target | null = t; o; o = Object.getPrototypeOf(o) as Target | null) if (bag(o, p, false)?.has(k)) return o;
    return undefined;
  };
  const api: MetadataApi = {
    defineMetadata: (k, v, t, p) => void bag(t, p, true)!.set(k, v),
    getOwnMetadata: (k, t, p) => bag(t, p, false)?.get(k),
    hasOwnMetadata: (k, t, p) => bag(t, p, false)?.has(k) ?? false,
    getMetadata: (k, t, p) => {
      const o = owner(k, t, p);
      return o ? bag(o, p, false)!.get(k) : undefined;
    },
    hasMetadata: (k, t, p) => owner(k, t, p) !== undefined,
    metadata: (k, v) => (t, p) => api.defineMetadata(k, v, t, p),
  };
  Object.assign(Reflect, api);
}

export {};
