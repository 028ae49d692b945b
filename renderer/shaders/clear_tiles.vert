#version 330
// One quad per instance covering a tile of an atlas at the far plane: clears tiles in
// one draw (a scissored clear per tile costs a flush each on llvmpipe).
#define MAX_TILES 64
uniform vec4 u_tile_rect[MAX_TILES];
void main() {
    vec2 corner = vec2(float(gl_VertexID & 1), float((gl_VertexID >> 1) & 1));
    vec4 r = u_tile_rect[gl_InstanceID];
    gl_Position = vec4(r.xy + corner * r.zw, 1.0, 1.0);
}
