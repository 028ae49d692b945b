#version 330
// Depth of static or moving geometry into shadow-map tiles of an atlas, one instance per
// tile: the viewport spans the atlas, each instance maps its light's clip space into its
// tile and clips against the tile's borders.
#define MAX_MODELS 17
#define MAX_TILES 64
in vec3 in_position;
in float in_object;
uniform mat4 u_models[MAX_MODELS];
uniform mat4 u_tile_view_proj[MAX_TILES];
uniform vec4 u_tile_rect[MAX_TILES];  // atlas NDC: x0, y0, width, height
out float gl_ClipDistance[4];
void main() {
    vec4 c = u_tile_view_proj[gl_InstanceID] * (u_models[int(in_object + 0.5)] * vec4(in_position, 1.0));
    gl_ClipDistance[0] = c.w - c.x;
    gl_ClipDistance[1] = c.w + c.x;
    gl_ClipDistance[2] = c.w - c.y;
    gl_ClipDistance[3] = c.w + c.y;
    vec4 r = u_tile_rect[gl_InstanceID];
    // Tile NDC t = c.xy / c.w maps to r.xy + (t + 1) / 2 * r.zw, kept in clip space.
    gl_Position = vec4(c.xy * 0.5 * r.zw + c.w * (r.xy + 0.5 * r.zw), c.z, c.w);
}
