//! Redis's geohash (geohash.c, geohash_helper.c): 52-bit interleaved hashes of
//! longitude/latitude (26 steps each), the 9-box neighbour search, and the haversine
//! distance with Redis's earth radius. Ported operation for operation (same order of
//! floating-point operations, libm's trig functions), so scores, coordinates and
//! distances come out bit for bit as Redis's. Pure: the commands are `cmd/geo.rs`; the
//! simulator's model computes distances with [`distance`].

pub const STEP_MAX: u8 = 26;
pub const LAT_MIN: f64 = -85.05112878;
pub const LAT_MAX: f64 = 85.05112878;
pub const LONG_MIN: f64 = -180.0;
pub const LONG_MAX: f64 = 180.0;

const D_R: f64 = std::f64::consts::PI / 180.0;
/// Earth's quadratic mean radius for WGS-84, as Redis has it.
pub const EARTH_RADIUS_IN_METERS: f64 = 6372797.560856;
const MERCATOR_MAX: f64 = 20037726.37;

#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Range {
    pub min: f64,
    pub max: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct HashBits {
    pub bits: u64,
    pub step: u8,
}

impl HashBits {
    fn is_zero(self) -> bool {
        self.bits == 0 && self.step == 0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Area {
    pub hash: HashBits,
    pub longitude: Range,
    pub latitude: Range,
}

/// The WGS84 ranges Redis indexes (no poles).
pub const LONG_RANGE: Range = Range {
    min: LONG_MIN,
    max: LONG_MAX,
};
pub const LAT_RANGE: Range = Range {
    min: LAT_MIN,
    max: LAT_MAX,
};

fn interleave64(xlo: u32, ylo: u32) -> u64 {
    const B: [u64; 5] = [
        0x5555555555555555,
        0x3333333333333333,
        0x0F0F0F0F0F0F0F0F,
        0x00FF00FF00FF00FF,
        0x0000FFFF0000FFFF,
    ];
    const S: [u32; 5] = [1, 2, 4, 8, 16];
    let mut x = u64::from(xlo);
    let mut y = u64::from(ylo);
    for i in (0..5).rev() {
        x = (x | (x << S[i])) & B[i];
        y = (y | (y << S[i])) & B[i];
    }
    x | (y << 1)
}

fn deinterleave64(interleaved: u64) -> u64 {
    const B: [u64; 6] = [
        0x5555555555555555,
        0x3333333333333333,
        0x0F0F0F0F0F0F0F0F,
        0x00FF00FF00FF00FF,
        0x0000FFFF0000FFFF,
        0x00000000FFFFFFFF,
    ];
    const S: [u32; 6] = [0, 1, 2, 4, 8, 16];
    let mut x = interleaved;
    let mut y = interleaved >> 1;
    for i in 0..6 {
        x = (x | (x >> S[i])) & B[i];
        y = (y | (y >> S[i])) & B[i];
    }
    x | (y << 32)
}

/// geohashEncode; `None` where Redis returns 0 (bad step, outside the ranges).
pub fn encode(
    long_range: Range,
    lat_range: Range,
    longitude: f64,
    latitude: f64,
    step: u8,
) -> Option<HashBits> {
    let zero = |r: Range| r.max == 0.0 && r.min == 0.0;
    if step > 32 || step == 0 || zero(lat_range) || zero(long_range) {
        return None;
    }
    if !(LONG_MIN..=LONG_MAX).contains(&longitude) || !(LAT_MIN..=LAT_MAX).contains(&latitude) {
        return None;
    }
    if latitude < lat_range.min
        || latitude > lat_range.max
        || longitude < long_range.min
        || longitude > long_range.max
    {
        return None;
    }
    let mut lat_offset = (latitude - lat_range.min) / (lat_range.max - lat_range.min);
    let mut long_offset = (longitude - long_range.min) / (long_range.max - long_range.min);
    lat_offset *= (1u64 << step) as f64;
    long_offset *= (1u64 << step) as f64;
    Some(HashBits {
        bits: interleave64(lat_offset as u32, long_offset as u32),
        step,
    })
}

/// geohashEncodeWGS84.
pub fn encode_wgs84(longitude: f64, latitude: f64, step: u8) -> Option<HashBits> {
    encode(LONG_RANGE, LAT_RANGE, longitude, latitude, step)
}

/// geohashDecode.
pub fn decode(long_range: Range, lat_range: Range, hash: HashBits) -> Option<Area> {
    let zero = |r: Range| r.max == 0.0 && r.min == 0.0;
    if hash.is_zero() || zero(lat_range) || zero(long_range) {
        return None;
    }
    let step = hash.step;
    let sep = deinterleave64(hash.bits);
    let lat_scale = lat_range.max - lat_range.min;
    let long_scale = long_range.max - long_range.min;
    let ilato = sep as u32;
    let ilono = (sep >> 32) as u32;
    let div = (1u64 << step) as f64;
    Some(Area {
        hash,
        latitude: Range {
            min: lat_range.min + (f64::from(ilato) * 1.0 / div) * lat_scale,
            max: lat_range.min + (f64::from(ilato.wrapping_add(1)) * 1.0 / div) * lat_scale,
        },
        longitude: Range {
            min: long_range.min + (f64::from(ilono) * 1.0 / div) * long_scale,
            max: long_range.min + (f64::from(ilono.wrapping_add(1)) * 1.0 / div) * long_scale,
        },
    })
}

/// geohashDecodeAreaToLongLat: the area's centre, clamped to the ranges.
fn area_center(area: &Area) -> [f64; 2] {
    let x = ((area.longitude.min + area.longitude.max) / 2.0).clamp(LONG_MIN, LONG_MAX);
    let y = ((area.latitude.min + area.latitude.max) / 2.0).clamp(LAT_MIN, LAT_MAX);
    [x, y]
}

/// decodeGeohash: a sorted-set score back to (longitude, latitude).
pub fn decode_score(score: f64) -> Option<[f64; 2]> {
    let hash = HashBits {
        bits: score as u64,
        step: STEP_MAX,
    };
    decode(LONG_RANGE, LAT_RANGE, hash).map(|a| area_center(&a))
}

/// The score GEOADD stores: the 26-step hash aligned to 52 bits.
pub fn score_of(longitude: f64, latitude: f64) -> Option<u64> {
    encode_wgs84(longitude, latitude, STEP_MAX).map(align52)
}

/// geohashAlign52Bits.
pub fn align52(hash: HashBits) -> u64 {
    hash.bits << (52 - u32::from(hash.step) * 2)
}

fn move_x(hash: &mut HashBits, d: i8) {
    if d == 0 {
        return;
    }
    let mut x = hash.bits & 0xaaaaaaaaaaaaaaaa;
    let y = hash.bits & 0x5555555555555555;
    let zz = 0x5555555555555555u64 >> (64 - u32::from(hash.step) * 2);
    if d > 0 {
        x = x.wrapping_add(zz + 1);
    } else {
        x |= zz;
        x = x.wrapping_sub(zz + 1);
    }
    x &= 0xaaaaaaaaaaaaaaaau64 >> (64 - u32::from(hash.step) * 2);
    hash.bits = x | y;
}

fn move_y(hash: &mut HashBits, d: i8) {
    if d == 0 {
        return;
    }
    let x = hash.bits & 0xaaaaaaaaaaaaaaaa;
    let mut y = hash.bits & 0x5555555555555555;
    let zz = 0xaaaaaaaaaaaaaaaau64 >> (64 - u32::from(hash.step) * 2);
    if d > 0 {
        y = y.wrapping_add(zz + 1);
    } else {
        y |= zz;
        y = y.wrapping_sub(zz + 1);
    }
    y &= 0x5555555555555555u64 >> (64 - u32::from(hash.step) * 2);
    hash.bits = x | y;
}

fn moved(hash: HashBits, dx: i8, dy: i8) -> HashBits {
    let mut h = hash;
    move_x(&mut h, dx);
    move_y(&mut h, dy);
    h
}

/// The shape a search covers, in the search's unit (`conversion` metres per unit).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shape {
    Circle { radius: f64 },
    Box { width: f64, height: f64 },
}

/// A search: its centre, shape and unit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Search {
    pub xy: [f64; 2],
    pub shape: Shape,
    pub conversion: f64,
}

/// geohashEstimateStepsByRadius.
pub fn estimate_steps_by_radius(mut range_meters: f64, lat: f64) -> u8 {
    if range_meters == 0.0 {
        return 26;
    }
    let mut step: i32 = 1;
    while range_meters < MERCATOR_MAX {
        range_meters *= 2.0;
        step += 1;
    }
    step -= 2;
    if !(-66.0..=66.0).contains(&lat) {
        step -= 1;
        if !(-80.0..=80.0).contains(&lat) {
            step -= 1;
        }
    }
    step.clamp(1, 26) as u8
}

/// geohashBoundingBox: [min_lon, min_lat, max_lon, max_lat].
pub fn bounding_box(s: &Search) -> [f64; 4] {
    let (longitude, latitude) = (s.xy[0], s.xy[1]);
    let (height, width) = match s.shape {
        Shape::Circle { radius } => (s.conversion * radius, s.conversion * radius),
        Shape::Box { width, height } => {
            (s.conversion * (height / 2.0), s.conversion * (width / 2.0))
        }
    };
    let lat_delta = (height / EARTH_RADIUS_IN_METERS) / D_R;
    let long_delta_top =
        (width / EARTH_RADIUS_IN_METERS / ((latitude + lat_delta) * D_R).cos()) / D_R;
    let long_delta_bottom =
        (width / EARTH_RADIUS_IN_METERS / ((latitude - lat_delta) * D_R).cos()) / D_R;
    let southern = latitude < 0.0;
    [
        if southern {
            longitude - long_delta_bottom
        } else {
            longitude - long_delta_top
        },
        latitude - lat_delta,
        if southern {
            longitude + long_delta_bottom
        } else {
            longitude + long_delta_top
        },
        latitude + lat_delta,
    ]
}

/// geohashCalculateAreasByShapeWGS84: the centre box and its 8 neighbours, in Redis's
/// search order (centre, N, S, E, W, NE, NW, SE, SW); useless ones zeroed.
pub fn areas_by_shape(s: &Search) -> [HashBits; 9] {
    let [min_lon, min_lat, max_lon, max_lat] = bounding_box(s);
    let (longitude, latitude) = (s.xy[0], s.xy[1]);
    let radius_meters = match s.shape {
        Shape::Circle { radius } => radius,
        Shape::Box { width, height } => {
            ((width / 2.0) * (width / 2.0) + (height / 2.0) * (height / 2.0)).sqrt()
        }
    } * s.conversion;
    let mut steps = estimate_steps_by_radius(radius_meters, latitude);
    let hash_at = |steps| {
        encode(LONG_RANGE, LAT_RANGE, longitude, latitude, steps).unwrap_or(HashBits {
            bits: 0,
            step: steps,
        })
    };
    let area_of = |h: HashBits| decode(LONG_RANGE, LAT_RANGE, h).unwrap_or_default();
    let mut hash = hash_at(steps);
    let (n, so, e, w) = (
        area_of(moved(hash, 0, 1)),
        area_of(moved(hash, 0, -1)),
        area_of(moved(hash, 1, 0)),
        area_of(moved(hash, -1, 0)),
    );
    let decrease = n.latitude.max < max_lat
        || so.latitude.min > min_lat
        || e.longitude.max < max_lon
        || w.longitude.min > min_lon;
    if steps > 1 && decrease {
        steps -= 1;
        hash = hash_at(steps);
    }
    let area = area_of(hash);
    let mut north = moved(hash, 0, 1);
    let mut south = moved(hash, 0, -1);
    let mut east = moved(hash, 1, 0);
    let mut west = moved(hash, -1, 0);
    let mut north_east = moved(hash, 1, 1);
    let mut north_west = moved(hash, -1, 1);
    let mut south_east = moved(hash, 1, -1);
    let mut south_west = moved(hash, -1, -1);
    if steps >= 2 {
        let z = HashBits::default();
        if area.latitude.min < min_lat {
            (south, south_west, south_east) = (z, z, z);
        }
        if area.latitude.max > max_lat {
            (north, north_east, north_west) = (z, z, z);
        }
        if area.longitude.min < min_lon {
            (west, south_west, north_west) = (z, z, z);
        }
        if area.longitude.max > max_lon {
            (east, south_east, north_east) = (z, z, z);
        }
    }
    [
        hash, north, south, east, west, north_east, north_west, south_east, south_west,
    ]
}

/// scoresOfGeoHashBox: the score interval [min, max) a box covers.
pub fn box_scores(hash: HashBits) -> (u64, u64) {
    let min = align52(hash);
    let max = align52(HashBits {
        bits: hash.bits.wrapping_add(1),
        step: hash.step,
    });
    (min, max)
}

/// geohashGetLatDistance.
pub fn lat_distance(lat1d: f64, lat2d: f64) -> f64 {
    EARTH_RADIUS_IN_METERS * ((lat2d * D_R) - (lat1d * D_R)).abs()
}

/// geohashGetDistance: haversine, in metres.
pub fn distance(lon1d: f64, lat1d: f64, lon2d: f64, lat2d: f64) -> f64 {
    let lon1r = lon1d * D_R;
    let lon2r = lon2d * D_R;
    let v = ((lon2r - lon1r) / 2.0).sin();
    if v == 0.0 {
        return lat_distance(lat1d, lat2d);
    }
    let lat1r = lat1d * D_R;
    let lat2r = lat2d * D_R;
    let u = ((lat2r - lat1r) / 2.0).sin();
    let a = u * u + lat1r.cos() * lat2r.cos() * v * v;
    2.0 * EARTH_RADIUS_IN_METERS * a.sqrt().asin()
}

/// geoWithinShape after the decode: the distance from the centre (metres) if the
/// point is inside the shape.
pub fn within(s: &Search, xy: [f64; 2]) -> Option<f64> {
    match s.shape {
        Shape::Circle { radius } => {
            let d = distance(s.xy[0], s.xy[1], xy[0], xy[1]);
            (d <= radius * s.conversion).then_some(d)
        }
        Shape::Box { width, height } => {
            let (width_m, height_m) = (width * s.conversion, height * s.conversion);
            if lat_distance(xy[1], s.xy[1]) > height_m / 2.0 {
                return None;
            }
            if distance(xy[0], xy[1], s.xy[0], xy[1]) > width_m / 2.0 {
                return None;
            }
            Some(distance(s.xy[0], s.xy[1], xy[0], xy[1]))
        }
    }
}

/// GEOHASH's 11-character standard geohash of a stored score (the point re-encoded
/// with latitude range ±90, the 11th character always '0').
pub fn standard_geohash(score: f64) -> Option<[u8; 11]> {
    const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    let xy = decode_score(score)?;
    let hash = encode(
        LONG_RANGE,
        Range {
            min: -90.0,
            max: 90.0,
        },
        xy[0],
        xy[1],
        26,
    )
    .map_or(0, |h| h.bits);
    let mut out = [0u8; 11];
    for (i, c) in out.iter_mut().enumerate() {
        let idx = if i == 10 {
            0
        } else {
            (hash >> (52 - (i + 1) * 5)) & 0x1f
        };
        *c = ALPHABET[idx as usize];
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn palermo_score_and_back() {
        // GEOADD Sicily 13.361389 38.115556 "Palermo" stores 3479099956230698 (Redis docs).
        assert_eq!(score_of(13.361389, 38.115556), Some(3479099956230698));
        let xy = decode_score(3479099956230698.0).unwrap();
        assert!((xy[0] - 13.361389).abs() < 1e-5 && (xy[1] - 38.115556).abs() < 1e-5);
        assert_eq!(
            &standard_geohash(3479099956230698.0).unwrap(),
            b"sqc8b49rny0"
        );
    }

    #[test]
    fn palermo_catania_distance() {
        let a = decode_score(3479099956230698.0).unwrap();
        let b = decode_score(3479447370796909.0).unwrap();
        // GEODIST Sicily Palermo Catania: "166274.1516" (Redis docs).
        let d = distance(a[0], a[1], b[0], b[1]);
        assert_eq!(format!("{:.4}", d), "166274.1516");
    }

    #[test]
    fn interleave_round_trips() {
        for (x, y) in [(0u32, 0u32), (1, 2), (0xffff_ffff, 0), (12345, 67890)] {
            let i = interleave64(x, y);
            let d = deinterleave64(i);
            assert_eq!((d as u32, (d >> 32) as u32), (x, y));
        }
    }

    #[test]
    fn out_of_range_and_huge_searches_do_not_panic() {
        assert_eq!(encode_wgs84(181.0, 0.0, 26), None);
        assert_eq!(encode_wgs84(0.0, 86.0, 26), None);
        for radius in [0.0, 1.0, 1e7, 1e300, f64::INFINITY] {
            let s = Search {
                xy: [179.9, 85.0],
                shape: Shape::Circle { radius },
                conversion: 1.0,
            };
            let _ = areas_by_shape(&s);
        }
        assert_eq!(
            decode_score(f64::MAX).map(|_| ()),
            decode_score(f64::MAX).map(|_| ())
        );
    }
}
