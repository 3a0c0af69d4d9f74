import { initBareRepo } from './repo.js';
import type { ProjectStore } from './store.js';
import type { Project } from './types.js';

/**
 * Test seeding without HTTP: creates every missing project along `path`, the way OneDev's importers
 * use `DPS#setup` (docs/reference/onedev.md#no-create-by-path), with ProjectData defaults
 * (#project-data). Returns the id of the last project.
 */
export async function addProjectPath(
  store: ProjectStore,
  path: string,
  owner?: string,
): Promise<number> {
  let parent: Project | undefined;
  for (const name of path.split('/').filter(Boolean)) {
    let project = store.findSibling(parent?.id ?? null, name);
    if (!project) {
      project = store.add({
        parentId: parent?.id ?? null,
        forkedFromId: null,
        name,
        key: null,
        description: null,
        codeManagement: true,
        packManagement: true,
        issueManagement: true,
        timeTracking: false,
        serviceDeskEmailAddress: null,
        gitPackConfig: { windowMemory: null, packSizeLimit: null, threads: null, window: null },
        codeAnalysisSetting: { analysisFiles: null },
      });
      if (owner) store.grant(project.id, owner, 'manage');
      await initBareRepo(store.repoDir(project.id), project.gitPackConfig);
    }
    parent = project;
  }
  if (!parent) throw new Error('OneDev double: empty project path');
  return parent.id;
}
