// Procedural albedo patterns in object space (ids match renderer.scenes.scene.PATTERNS).
float hash13(vec3 p) {
    uvec3 q = uvec3(ivec3(floor(p)) + ivec3(32768));
    q = q * uvec3(1597334673u, 3812015801u, 2798796415u);
    uint h = (q.x ^ q.y ^ q.z) * 1597334673u;
    return float(h >> 8u) * (1.0 / 16777216.0);
}

// Value noise with one lattice cell per unit: trilinear filtering of a tileable texture of
// random lattice values (32^3 texels). A lookup costs llvmpipe a fraction of hashing the
// eight corners in the shader.
uniform sampler3D u_noise;

float value_noise(vec3 p) {
    return texture(u_noise, (p + 0.5) * (1.0 / 32.0)).r;
}

// A square wave (0 then 1 over each unit cycle) averaged over a box of width w around x:
// the difference of its integral at both ends. Filtering patterns by the pixel footprint
// keeps them from aliasing, as mipmapping does for textures.
float filtered_square(float x, float w) {
    float a = x - 0.5 * w;
    float b = x + 0.5 * w;
    float ia = floor(a) * 0.5 + max(fract(a) - 0.5, 0.0);
    float ib = floor(b) * 0.5 + max(fract(b) - 0.5, 0.0);
    return (ib - ia) / max(w, 1e-6);
}

// material = (pattern id, scale in cycles per metre, contrast). Every pattern is computed
// and one is selected: llvmpipe would run all branches anyway, so they share two noise
// octaves instead of each paying for its own.
float albedo_pattern(vec3 p, vec3 n, vec3 material) {
    int id = int(material.x + 0.5);
    float s = material.y;
    float c = material.z;
    // Step a quarter cell into the surface so faces lying on cell borders pick one cell.
    vec3 q = (p - n * (0.25 / max(s, 1e-3))) * s;
    // The pixel footprint in pattern cycles; patterns fade to their mean as it grows.
    vec3 w = min(fwidth(q), vec3(4.0));
    float footprint = max(max(w.x, w.y), w.z);
    float coarse = mix(value_noise(q), 0.5, clamp(2.0 * footprint - 0.5, 0.0, 1.0));
    float fine = mix(value_noise(4.03 * q), 0.5, clamp(8.0 * footprint - 1.0, 0.0, 1.0));
    float noise = 1.0 + c * (2.0 * (0.7 * coarse + 0.3 * fine) - 1.0);
    // Parity of floor(q.x) + floor(q.y) + floor(q.z) is (1 - sx sy sz) / 2 with
    // s = (-1)^floor(q): a square wave of period 2, filtered per axis.
    vec3 half_q = 0.5 * q;
    vec3 half_w = 0.5 * w;
    vec3 sgn = 1.0 - 2.0 * vec3(filtered_square(half_q.x, half_w.x), filtered_square(half_q.y, half_w.y),
                                filtered_square(half_q.z, half_w.z));
    float checker = 1.0 - c * (0.5 - 0.5 * sgn.x * sgn.y * sgn.z);
    vec3 f = abs(fract(q) - 0.5);
    vec3 an = abs(n);
    // Grout where either in-plane axis (ignoring the one the surface faces) nears a border.
    bool x_facing = an.x > an.y && an.x > an.z;
    bool y_facing = !x_facing && an.y > an.z;
    float edge = x_facing ? max(f.y, f.z) : y_facing ? max(f.x, f.z) : max(f.x, f.y);
    float grout = smoothstep(0.46 - 0.02 - footprint, 0.46 + 0.02 + footprint, edge);
    float tile = 0.85 + 0.3 * hash13(floor(q));
    // Far away, a pixel covers grout and tile: blend towards their area-weighted mean.
    float mean_tiles = mix(1.0, 1.0 - c, 0.16);
    float tiles = mix(mix(tile, 1.0 - c, grout), mean_tiles, clamp(2.0 * footprint - 0.4, 0.0, 1.0))
                * (1.0 + 0.25 * c * (2.0 * fine - 1.0));
    float stripes = 1.0 - c * filtered_square(q.y, w.y);
    return id == 1 ? noise : id == 2 ? checker : id == 3 ? tiles : id == 4 ? stripes : 1.0;
}
