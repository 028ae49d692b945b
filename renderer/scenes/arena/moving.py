"""The arena's eleven moving objects: each is built in its own frame, with object-space
patterns so that its motion shows on its surfaces, and moved by a smooth function of time."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import trimesh

from renderer.scenes.arena.layout import (
    BALL,
    BOBBER,
    CAROUSEL,
    DRUM_RADIUS,
    DRUM_X,
    DRUM_Z,
    ORRERY,
    ORRERY_HEIGHT,
    PEDESTAL_HEIGHT,
    PENDULUM,
    PENDULUM_LENGTH,
    PENDULUM_PIVOT_HEIGHT,
    RING,
    TRACK_HEIGHT,
    TUMBLER,
    TURNSTILE,
    WINDMILL,
    WINDMILL_AXIS,
    WINDMILL_HUB_HEIGHT,
    at,
)
from renderer.scenes.arena.materials import DARK, METAL
from renderer.scenes.arena.parts import UPRIGHT, Part, Vec3, placed, post
from renderer.scenes.scene import Material, Motion
from renderer.scenes.shapes import box, rigid, rotation, sphere

Moving = tuple[str, list[Part], Motion]
"""A moving object: its name, its parts (each with a material, in the object's own frame)
and its motion."""


def moving_objects() -> list[Moving]:
    return [
        carousel(),
        windmill(),
        turnstile(),
        tumbler(),
        bobber(),
        *moons(),
        pendulum(),
        ball(),
        drum(),
        ring(),
    ]


def _mid_cell(size: float, cells: int = 3) -> float:
    """Pattern scale that puts a centred cube's faces in the middle of pattern cells.

    A face on a cell border would take its colour from the shader's quarter-cell step
    into the surface, which follows the world-space normal and so changes as the cube turns.
    """
    return cells / size


def _spinning(center: Vec3, axis: Sequence[float], deg_per_s: float) -> Motion:
    """Constant rotation about ``axis`` through ``center``."""
    rate = math.radians(deg_per_s)
    return lambda t: rigid(rotation(axis, rate * t), center)


def carousel() -> Moving:
    """A checkered hub and canopy with four arms carrying seats 3.5 m out: 3.4 m/s."""
    arm_radius, arm_height = 3.5, 3.0
    canopy = trimesh.creation.cone(2.0, 0.8, sections=12)
    parts: list[Part] = [
        (post(0.3, 0.25, arm_height + 0.1), Material((0.8, 0.78, 0.72), "checker", 3.0, 0.75)),
        (
            placed(canopy, (0, arm_height + 0.1, 0), UPRIGHT),
            Material((0.75, 0.18, 0.15), "checker", 2.0, 0.7),
        ),
    ]
    seats = [
        (trimesh.creation.box((0.75, 0.6, 0.75)), Material((0.85, 0.7, 0.12), "checker", 4.0, 0.6)),
        (trimesh.creation.icosphere(1, 0.45), Material((0.15, 0.35, 0.8), "stripes", 5.0, 0.7)),
        (trimesh.creation.box((0.6, 0.8, 0.6)), Material((0.2, 0.6, 0.3), "noise", 4.0, 0.6)),
        (trimesh.creation.icosphere(1, 0.45), Material((0.7, 0.25, 0.6), "checker", 3.0, 0.6)),
    ]
    rod = Material((0.25, 0.25, 0.27))
    for k, (seat, material) in enumerate(seats):
        turn = rotation((0, 1, 0), k * math.pi / 2)
        arm = box((arm_radius, 0.12, 0.12), (arm_radius / 2, arm_height, 0))
        hanger = box((0.06, 1.2, 0.06), (arm_radius, arm_height - 0.6, 0))
        parts += [(placed(arm, (0, 0, 0), turn), rod), (placed(hanger, (0, 0, 0), turn), rod)]
        parts.append((placed(seat, turn @ [arm_radius, arm_height - 1.55, 0]), material))
    return "carousel", parts, _spinning(at(CAROUSEL), (0, 1, 0), 55.0)


def windmill() -> Moving:
    """Four checkered blades, 1.9 m long, at 220 degrees a second: tips at 7 m/s."""
    blade = Material((0.9, 0.88, 0.82), "checker", 3.0, 0.7)
    parts: list[Part] = [
        (
            placed(trimesh.creation.cylinder(0.22, 0.3, sections=10), (0, 0, 0.1)),
            Material((0.7, 0.15, 0.12)),
        )
    ]
    for k in range(4):
        turn = rotation((0, 0, 1), k * math.pi / 2 + 0.3)
        parts.append((placed(box((0.36, 1.7, 0.05), (0.0, 1.05, 0.0)), (0, 0, 0), turn), blade))
    # The rotor's local z is its axle, turned towards WINDMILL_AXIS in front of the post.
    axis = np.asarray(WINDMILL_AXIS) / np.linalg.norm(WINDMILL_AXIS)
    facing = rotation((0, 1, 0), math.atan2(axis[0], axis[2]))
    hub = np.asarray(at(WINDMILL, WINDMILL_HUB_HEIGHT)) + axis * 0.4
    rate = math.radians(220.0)
    return "windmill", parts, lambda t: rigid(facing @ rotation((0, 0, 1), -rate * t), hub)


def turnstile() -> Moving:
    """Three arms with paddles round a post, sweeping at 160 degrees a second."""
    arm = Material((0.9, 0.75, 0.1), "checker", 4.0, 0.8)
    paddle = Material((0.1, 0.55, 0.65), "stripes", 5.0, 0.6)
    parts: list[Part] = [(post(0.2, -0.15, 0.15, sections=10), METAL)]
    for k in range(3):
        turn = rotation((0, 1, 0), k * 2 * math.pi / 3)
        parts.append((placed(box((1.5, 0.12, 0.12), (0.85, 0, 0)), (0, 0, 0), turn), arm))
        parts.append((placed(box((0.08, 0.7, 0.45), (1.55, -0.1, 0)), (0, 0, 0), turn), paddle))
    return "turnstile", parts, _spinning(at(TURNSTILE, 0.95), (0, 1, 0), -160.0)


def tumbler() -> Moving:
    """A checkered cube tumbling about a tilted axis at 270 degrees a second."""
    size = 0.8
    material = Material((0.8, 0.15, 0.1), "checker", _mid_cell(size), 0.75)
    cube = (trimesh.creation.box((size, size, size)), material)
    spin = _spinning(at(TUMBLER, PEDESTAL_HEIGHT + 0.85), (1.0, 1.2, 0.4), 270.0)
    return "tumbler", [cube], spin


def bobber() -> Moving:
    """A striped cube that spins, rocks and bobs above its pedestal."""
    size = 0.9
    material = Material((0.2, 0.3, 0.75), "stripes", _mid_cell(size), 0.6)
    cube = (trimesh.creation.box((size, size, size)), material)
    base = np.asarray(at(BOBBER, 1.7))
    spin = math.radians(120.0)

    def motion(t: float) -> np.ndarray:
        rock = rotation((1, 0, 0), math.radians(25.0) * math.sin(1.7 * t))
        lift = 0.35 * math.sin(math.pi * t)
        return rigid(rotation((0, 1, 0), spin * t) @ rock, base + np.array([0.0, lift, 0.0]))

    return "bobber", [cube], motion


def moons() -> list[Moving]:
    """Two spinning moons on tilted orbits round the orrery's sun: 5.9 and 4.6 m/s."""
    center = np.asarray(at(ORRERY, ORRERY_HEIGHT))
    specs = [
        # name, radius, orbit radius, degrees per second, tilt axis and angle, material
        (
            "moon-inner",
            0.28,
            1.3,
            260.0,
            (1, 0, 0),
            25.0,
            Material((0.15, 0.7, 0.75), "checker", 6.0, 0.7),
        ),
        (
            "moon-outer",
            0.38,
            2.1,
            -140.0,
            (1, 0, 1),
            -12.0,
            Material((0.55, 0.3, 0.75), "noise", 4.0, 0.6),
        ),
    ]
    result = []
    for name, radius, orbit, rate, tilt_axis, tilt, material in specs:
        tilt_rot = rotation(tilt_axis, math.radians(tilt))
        omega = math.radians(rate)

        def motion(t: float, orbit=orbit, omega=omega, tilt_rot=tilt_rot) -> np.ndarray:
            a = omega * t
            where = center + tilt_rot @ [orbit * math.cos(a), 0.0, orbit * math.sin(a)]
            # Spin faster than the orbit, about a tilted axis, so the pattern rolls over.
            return rigid(tilt_rot @ rotation((0.3, 1, 0), 2.5 * a), where)

        result.append((name, [(sphere(radius, subdivisions=1), material)], motion))
    return result


def pendulum() -> Moving:
    """A heavy ball on a rod from the gantry, swinging 55 degrees each side: 5.5 m/s low."""
    length = PENDULUM_LENGTH
    parts: list[Part] = [
        (placed(trimesh.creation.cylinder(0.1, 0.4, sections=10), (0, 0, 0)), METAL),
        (box((0.07, length - 0.3, 0.07), (0, -(length - 0.3) / 2, 0)), DARK),
        (sphere(0.42, (0, -length, 0), 2), Material((0.9, 0.45, 0.1), "stripes", 5.0, 0.7)),
    ]
    pivot = at(PENDULUM, PENDULUM_PIVOT_HEIGHT)
    amplitude = math.radians(55.0)
    omega = 2 * math.pi / 3.6  # a 3.3 m pendulum's own period

    def swing(t: float) -> np.ndarray:
        return rigid(rotation((0, 0, 1), amplitude * math.sin(omega * t)), pivot)

    return "pendulum", parts, swing


def ball() -> Moving:
    """A beach ball bouncing 1.8 m high (4.4 m/s) while circling and spinning.

    The bounce is a raised cosine: smooth at the floor, where a real bounce has a kink."""
    part = (sphere(0.5, subdivisions=2), Material((0.95, 0.5, 0.1), "checker", 2.0, 0.8))
    base = np.asarray(at(BALL, 0.5))
    bounce, circle = 2 * math.pi / 1.3, math.radians(70.0)
    spin = math.radians(200.0)

    def motion(t: float) -> np.ndarray:
        lift = 0.9 * (1.0 - math.cos(bounce * t))
        offset = [0.6 * math.cos(circle * t), lift, 0.6 * math.sin(circle * t)]
        return rigid(rotation((1, 0, 0.5), spin * t), base + offset)

    return "ball", [part], motion


def drum() -> Moving:
    """A striped drum rolling back and forth along its track without slipping."""
    body = placed(
        trimesh.creation.cylinder(DRUM_RADIUS, 1.0, sections=16),
        (0, 0, 0),
        rotation((0, 1, 0), math.pi / 2),
    )
    rim = Material((0.85, 0.3, 0.45), "checker", 4.0, 0.65)
    z0, z1 = DRUM_Z
    mid, reach = (z0 + z1) / 2, (z1 - z0) / 2
    omega = 2 * math.pi / 4.0
    y = TRACK_HEIGHT + DRUM_RADIUS

    def motion(t: float) -> np.ndarray:
        z = mid + reach * math.sin(omega * t)
        # Rolling along +z about the x axis turns it by distance / radius.
        return rigid(rotation((1, 0, 0), (z - mid) / DRUM_RADIUS), (DRUM_X, y, z))

    return "drum", [(body, rim)], motion


def ring() -> Moving:
    """A hovering ring standing on edge, spinning like a coin and rocking."""
    torus = trimesh.creation.torus(0.65, 0.16, major_sections=16, minor_sections=8)
    material = Material((0.25, 0.75, 0.3), "checker", 5.0, 0.7)
    base = np.asarray(at(RING, 1.75))
    spin = math.radians(180.0)

    def motion(t: float) -> np.ndarray:
        rock = rotation((0, 0, 1), math.radians(20.0) * math.sin(1.1 * t))
        lift = 0.2 * math.sin(2.0 * t)
        return rigid(rotation((0, 1, 0), spin * t) @ rock, base + np.array([0.0, lift, 0.0]))

    return "ring", [(torus, material)], motion
