// The two images the repository ships, and the hardened way every tool runs them.
export interface ImageSpec {
  name: 'slim' | 'distroless';
  tag: string;
  dockerfile: string;
  uid: number;
}

export const IMAGES: ImageSpec[] = [
  { name: 'slim', tag: 'moscow-time:slim', dockerfile: 'Dockerfile', uid: 1000 },
  { name: 'distroless', tag: 'moscow-time:distroless', dockerfile: 'distroless.Dockerfile', uid: 65532 },
];

export const HARDENED = ['--read-only', '--tmpfs', '/tmp', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges'];
