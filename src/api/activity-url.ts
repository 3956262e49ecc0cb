/**
 * The page of an uploaded activity on Map My Tracks, from `api.activityUrl`
 * (`https://www.mapmytracks.com/explore/activity/{id}`): the dashboard's links, and
 * anything else that shows a user where an upload went.
 */
export function activityUrl(template: string, activityId: string): string {
  return template.replaceAll('{id}', encodeURIComponent(activityId));
}
