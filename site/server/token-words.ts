/**
 * The words a workshop join token is made of: common, concrete English words of three to nine
 * letters, easy to say and to spell when the instructor reads a token aloud or shows it on a
 * projector, with near-homophones (flour/flower, knight/night, cymbal/symbol) left out. Written
 * for this course. 1656 words: six of them carry 6 × log2(1656) ≈ 64.2 bits.
 */
export const TOKEN_WORDS: readonly string[] = `
able about above acid acorn across active actor actual adapt address admit adobe adult advice
afraid after again agenda agent agree ahead airport aisle alarm album alert algae alive alley
allow alloy almond alone along alpha alpine already also always amazing amber amend amount ample
anchor angle animal ankle answer anvil anyway apart appear apple april apron arbor arctic arena
argue armor aroma around arrive arrow artist artwork ascot aside aspen athlete atlas atom attic
auction audio august autumn avenue average avocado awake award awesome axis azure bacon badge
bagel baker balance ballet balloon bamboo banana band banjo bank bargain barge bark barley barn
baron barrel basil basin basket baton battery beach beacon beam bean bear beauty beaver become
bedrock beech beetle before begin behave behind bell belong below belt bench berry beyond bicycle
bingo birch birthday biscuit bishop bison blade blank blanket blaze blend blender blimp blink
bliss block bloom blossom blue blunt blush board boat bobcat body boil bolt bonnet bonus book
boost booth border borrow bottle bottom boulder bounce bowl boxer bracket brain brake branch brass
brave bread breakfast breeze brick bridge brief bright brisk broad bronze brook broom brother
brown brownie brush bubble bucket buckle budget buffalo bugle build bulb bumper bundle bunny
burger burrow burst bus butter button buzzer cabbage cabin cable cactus cadet cafe cake calm camel
camera camp camping canal candid candle candy canoe canvas canyon capital captain carbon card
cargo carpet carrot cart cashew castle casual cat catalog cattle caution cedar ceiling celery
cellar cello cement census center century cereal certain chair chalk chamber change chapel chapter
charm chart cheek cheese cherry chess chest chicken chief chimney chin chip choir chorus cider
cinema cinnamon circle circus citizen citrus city civic clam clap classic clay clerk clever click
client cliff climb clock closet clothes cloud clover clown cluster coach coast cobalt cobra cocoa
coconut code coffee coin collar column combine comet comfort comic comma common compass concert
condor conduct content convoy cookie cooler copper coral cord cork corn corner costume cottage
cotton couch cougar country cousin cover coyote crab cradle craft crane crater crayon cream credit
creek crest cricket crimson crisp crop crow crown cruise crystal cube culture cupboard cupcake
curtain cushion custard cycle daisy damp dance dart dash data dawn dealer debate decade december
decimal deck decoy deer degree deliver delta denim dentist depot depth desert design desk dessert
detail device diagram dial diamond diary diesel digital dingo dinner dinosaur direct dish disk
diver dizzy dock doctor dolphin dome domino donkey doodle door double dove dozen dragon drama
drawer dream dress drift drill drink driver drum duck dune during dusk dust duvet dynamic dynamo
eager eagle early earring earth easel east easy echo eclipse edge eel effort eight either eject
elastic elbow elder elegant elephant elevator eleven elf elk elm embark ember emblem emerald
emotion empty enable enamel energy engine enjoy enough entire entry envelope envoy enzyme epoch
equal equator escape escort essay estate ethics even evening event exact exam example excite exit
exotic expand expert explore extra fable fabric face factor fairy falcon fame family famous fancy
farm farmer fashion father fault favor feast feather february fence fern ferry festival fever
fiber fiddle field fifty fig film filter final finch finger finish fire fiscal fish flag flame
flannel flash flask flavor fleet flicker flint flipper float flock flood floor florist flower
fluffy flute flyer foam focus fog folder folk forest forever forge fork formal forward fossil
fountain fox fragile frame freckle freedom fresh friend frog frost frozen fruit fudge funnel funny
fur future gadget galaxy galley gallon gallop game garage garden garlic garnet gate gather gazelle
gear gecko gem genius gentle genuine geyser ghost giant gift ginger gingham giraffe glacier glad
glass glider glimmer globe gloomy glove glow glue goat gold golden golf gondola goose gorilla
gourd govern gown grace grain granite grape graph grass grateful gravel gravity gravy green grid
grill grin grocer grocery group grove guard guava guest guide guitar gull gum gust gutter gym
habit hail hammer hamper hamster hand handle happen happy harbor harmony harp harvest hat hatch
hawk hazel head health heart heavy hedge helium hello helmet hen herb hermit hero heron highway
hill hinge hippo history hobby hockey hollow honest honey hood hook hope horizon horn horse hotel
hound house hub hull humble humor hundred hungry hunter hurdle husky hut ice iceberg icicle icon
idea identity igloo ignite image impact improve inch include index indigo indoor infant inform ink
inlet insect inside instant invent iron island italic item ivory ivy jacket jaguar jam january jar
jasmine jaw jazz jeans jelly jester jet jewel jigsaw jingle jockey jogger joke journal journey
joyful judge juice july jumbo jumper june jungle junior juniper jury justice kale kangaroo karate
kayak kebab keel keeper kennel kernel ketchup kettle key kilo kind kindle king kingdom kiosk kit
kitchen kite kitten kiwi knee knife knot knuckle koala label lace ladder ladle lagoon lake lamb
lamp lance landing lane lantern laptop larch large laser latch laundry lava lawn layer leader leaf
ledge legend lemon lemonade lens lentil leopard lesson letter level lever liberty library lift
light lilac lily lime limit linen linger lion liquid listen little lively lizard llama lobby
lobster locker locust lodge loft logic lotus lounge loyal lucky luggage lumber lunar lunch lynx
lyric machine magic magnet magnify maiden mammal mango manner manor mantle maple marathon marble
march margin marine market marsh mask mason master matter maximum meadow medal medium melody melon
member memo mentor menu mercury merit message meteor method metro middle midnight mild milk mill
mineral mint minute mirror misty mitten mixer model modern moment monkey monster month moon moose
morning mosaic moss motel mother motion motor mountain mouse mud muffin mule mural museum music
mustang mustard mutual myth nail name napkin narrow nation nature navy nearby nebula nectar needle
neon nephew nest net network neutral never newborn nibble nickel night nimble ninety noble nobody
nomad noodle normal north nose notable note notice novel november nugget number nurse nut nutmeg
oak oasis oat oatmeal object obvious ocean octave october offer office often olive omelet onion
online opal open opera option orange orbit orchard orchid organ orient origin ostrich otter
outdoor outer outfit oval oven owl owner oxygen oyster package paddle page paint pajamas palace
palette palm pancake panda panel panther paper paprika parade parcel parent park parlor parrot
partner party pasta pasture patch path patient pattern peach peak peanut pear pebble pecan pedal
pelican pen pencil penguin people pepper perch perfect period permit person pewter phone phrase
piano pickle picnic picture pier pigeon pillar pillow pilot pinch pine pioneer pipe pirate
pistachio pitch pizza planet plank plant plate plaza pleasant plenty plum plumber plume pocket
poem polar polish pond pony popcorn poppy popular porch portal portion posture potato pottery
powder prairie praise present pretty primary prism private prize problem product profit program
promise proper protein proud prune public pudding puddle pulse pumpkin pupil puppet puppy purple
puzzle pyramid quail quarry quartz queen quest quick quiet quill quilt quince quiz quota rabbit
raccoon radar radiant radio radish raft rail railway rain rainbow raisin rake ramble ramp ranch
random range rapid rather raven razor reader reason recess recipe record recycle reef reform
region regular relay remedy remote repair report rescue resort respect result retail reveal review
rhythm ribbon rice riddle ridge rigid ring ripple ritual river road robin robot robust rock rocket
rodeo roof rookie room rooster root rope rose rotate rover royal rubber ruby rudder rug ruler
rumba rumor runway rust rustic saddle safari saffron saga sail salad salmon salt salute sample
sand sandal sandwich satin sauce saucer savanna scale scarf scarlet scene scenic school science
scissors scooter scout screen scroll sea seal season second section seed select senior sentence
september sequel serene service seventy shadow shallow shark shed shelf shell shelter shield
shimmer ship shirt shoe shore short shoulder shovel shrimp shrub sierra signal silent silk silver
simple single siren sister sixty skate sketch ski skillet sky slate sled sleeve slender slice
slogan slope smile smoke smooth snack snail snake snippet snow soap soccer society sock sofa soil
solar solid sonar song sonnet soup source south spark sparkle sparrow special speedy sphere spice
spider spinach spiral spirit splendid spoken sponge spoon sporty spring sprout square squid stable
stadium stage stair stamp star statue steady steam steel stellar stem stereo stick sticky stomach
stone stool storm stove straw stream street string strong studio sturdy subject sudden sugar suit
summer summit sun sunny sunset super supper supply surf surface surprise swan sweater sweet swift
swing symbol syrup table tablet taco tail talent tandem tango tank tape target tartan tassel taxi
tea teacher teapot temper temple tender tennis tent terrace terrific texture thankful theory
thimble thirty thistle thorough thousand thread throne thumb thunder ticket tidy tiger tile timber
timely tin tiny toast today toddler together token tomato tomorrow tongue tonight tool topaz topic
torch tornado tortoise total tourist toward towel tower toy track tractor trail train tram travel
treasure tree trellis triangle tribute trinket trophy tropic trout truck trumpet trusty tulip
tumble tuna tundra tunic tunnel turkey turnip turtle tuxedo twelve twenty twig twin typical umber
umbrella unable uncle uncover union unique unit unlock unusual update upper upward urban urchin
useful usual utopia vacant vacuum valid valley valve vanilla vapor vase vault velcro velvet vendor
venture venus verbal verse version vessel vest victory video village vine vintage violet violin
virtual visit visor visual vital vivid vocal voice volcano volume voyage vulture wafer waffle
wagon waist wallet walnut walrus wand wander warm warmth washer wasp water wave wax wealth weasel
weather web wedge weekend welcome western whale wheat wheel whisper whistle whole widget wildcat
willow window windy wing winner winter wire wisdom wizard wolf wombat wonder wood wooden wool
worker world worm worthy wreath wren yacht yak yard yarn year yearly yellow yeti yodel yogurt yolk
yonder young yummy zebra zenith zest zesty zigzag zinc zipper zodiac zone zoo
`.trim().split(/\s+/);
